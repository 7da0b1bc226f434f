declare const __PREPARE_ROOT_VERSION__: string | undefined;

/** Set by build.mjs from package.json; `dev` when running from source (tests). */
export const VERSION: string = typeof __PREPARE_ROOT_VERSION__ === 'string' ? __PREPARE_ROOT_VERSION__ : 'dev';
