// The web app's entry: Vue, the router, Vant's base styles and ours. Pages load as separate chunks.
import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router';
import 'vant/es/style/base.css';
import './styles.css';

createApp(App).use(router).mount('#app');
