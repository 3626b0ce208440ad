// Pages by who uses them. Paths never collide with the API's (which CloudFront sends to the functions):
// `/` sign-in, `/share/{token}` the resident's page, then /resident, /leader, /supplier, /operator, /docs.
import { createRouter, createWebHistory } from 'vue-router';

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', component: () => import('./pages/SignIn.vue'), meta: { title: '登录' } },
    { path: '/share/:token', component: () => import('./pages/resident/SharePage.vue'), meta: { title: '团购' } },
    { path: '/resident/orders', component: () => import('./pages/resident/MyOrders.vue'), meta: { title: '我的订单' } },
    { path: '/resident/orders/:orderId', component: () => import('./pages/resident/OrderPage.vue'), meta: { title: '订单详情' } },
    { path: '/leader', component: () => import('./pages/leader/LeaderHome.vue'), meta: { title: '团长工作台' } },
    { path: '/supplier', component: () => import('./pages/supplier/PurchaseOrders.vue'), meta: { title: '供应商采购单' } },
    { path: '/operator', component: () => import('./pages/operator/OperatorHome.vue'), meta: { title: '运营后台' } },
    { path: '/docs', component: () => import('./pages/ApiDocs.vue'), meta: { title: 'API 文档' } },
    { path: '/:rest(.*)*', component: () => import('./pages/NotFound.vue'), meta: { title: '页面不存在' } },
  ],
});

router.afterEach((to) => {
  // The share page sets its own title (the group buy's) once loaded.
  if (to.meta.title && !to.path.startsWith('/share/')) document.title = `${String(to.meta.title)} · 社区团购`;
});
