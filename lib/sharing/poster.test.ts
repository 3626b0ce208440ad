// The poster as an image: its QR code decodes to the link, and it renders quickly enough for a Lambda.
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { renderPoster } from './poster';
import { posterFont } from './wiring';

const content = {
  title: '今日鲜果团：阳光玫瑰青提、丹东草莓限时特价',
  cutoffAt: '2026-11-30T15:00:00.000Z',
  pickupDate: '2026-12-01',
  pickupPoint: { name: '芳芳小卖部', address: '幸福路 1 号', community: '幸福小区' },
  items: [{ name: '丹东草莓', unit: '500g/盒', groupPriceFen: 2590 }],
};

test('renders the title and a QR code of the link', () => {
  const started = Date.now();
  const png = PNG.sync.read(renderPoster(posterFont(), content, 'https://tuan.example.com/share/abc.def.ghi.jkl'));
  const took = Date.now() - started;
  expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe('https://tuan.example.com/share/abc.def.ghi.jkl');
  expect(took).toBeLessThan(5000);
  console.log(`poster rendered in ${took} ms`);
});
