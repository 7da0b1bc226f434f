declare const __PREPARE_ROOT_VERSION__: string | undefined;
declare const __QUICKJS_VERSION__: string | undefined;

/** Set by build.mjs from package.json; `dev` when running from source (tests). */
export const VERSION: string = typeof __PREPARE_ROOT_VERSION__ === 'string' ? __PREPARE_ROOT_VERSION__ : 'dev';
/** The QuickJS the executable embeds, set by build.mjs. */
export const QUICKJS_VERSION: string = typeof __QUICKJS_VERSION__ === 'string' ? __QUICKJS_VERSION__ : 'unknown';
