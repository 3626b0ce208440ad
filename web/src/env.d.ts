/// <reference types="vite/client" />
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
interface ImportMetaEnv {
  /** The WeChat official account used for web authorization (网页授权); without it the WeChat button is hidden. */
  readonly VITE_WECHAT_APPID?: string;
}
