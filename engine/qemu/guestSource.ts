// The guest's assembly source, bundled as text (esbuild's text loader for .S).
import source from './guest/migration-test-boot.S';

export const GUEST_SOURCE: string = source;
