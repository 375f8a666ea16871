// The engine's version, written into every trace header; a replay by another engine version is
// checked against the recording's running hash, never trusted blindly.
export const ENGINE_VERSION = '0.2.3';
