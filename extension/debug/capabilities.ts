// What the migtrace adapter tells a DAP client it can do; VS Code turns each into UI (Step Back
// and Reverse, function/conditional/hit-count breakpoints, log points, data breakpoints, exception
// filters with conditions, Restart Frame, Jump to Cursor, progress with Cancel, Stop as terminate).

import type { DebugProtocol } from '@vscode/debugprotocol';
import { EXCEPTION_FILTERS } from '../../engine/runtime/breakpoints';

export function capabilities(): DebugProtocol.Capabilities {
  return {
    supportsConfigurationDoneRequest: true,
    supportsFunctionBreakpoints: true,
    supportsConditionalBreakpoints: true,
    supportsHitConditionalBreakpoints: true,
    supportsLogPoints: true,
    supportsDataBreakpoints: true,
    supportsStepBack: true,
    supportsRestartFrame: true,
    supportsGotoTargetsRequest: true,
    supportsExceptionInfoRequest: true,
    supportsExceptionFilterOptions: true,
    exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({
      filter: f.filter,
      label: f.label,
      description: f.description,
      default: f.default,
      supportsCondition: f.supportsCondition,
      conditionDescription: f.conditionDescription,
    })),
    supportsEvaluateForHovers: true,
    supportsTerminateRequest: true,
    supportsCancelRequest: true,
    supportsDelayedStackTraceLoading: true,
    supportsSingleThreadExecutionRequests: false,
  };
}
