// The simulation kernel's public surface.
export { Kernel, SimError, type KernelOptions, type RunLimits, type StopReason } from './kernel';
export { Program, callLocked, type StepFn, type FunctionDef } from './program';
export { TS, WAIT, EFFECT, THREAD_STATE_NAMES, WAIT_NAMES, type Frame, type SimThread, type SimMutex, type SimCond, type SimSem, type SimState, type LockSiteStats, type ThreadStateCode } from './types';
export { NullObserver, FanoutObserver, OBJ, type SimObserver, type ObjKind } from './observer';
export { ChunkedArray, type ChunkKind } from './chunkedArray';
export { takeSnapshot, restoreSnapshot, stateHash, clonePlain, type Snapshot } from './snapshot';
export { Column32, decisionLogCreate, ReplayDivergence, type DecisionLog } from './decisionLog';
export { STRATEGIES, type StrategyName, type StrategyOptions } from './scheduler';
export { formatHangReport, formatNs, type HangReport, type HangKind, type HangLink, type HangThread } from './hangReport';
export { waitDescription } from './hangDetect';
export { EventHasher } from './eventHasher';
export { EventCounter } from './eventCounter';
export { lockSummaries, formatLockTable, type LockSummary, type LockSiteSummary } from './lockReport';
export { prngCreate, prngNext, prngFloat, prngInt, type PrngState } from './prng';
export { hashCreate, hashHex, hashNumber, hashString, type Hash64 } from './hash';
