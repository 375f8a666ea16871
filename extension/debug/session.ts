// The DAP session: one handler per request, each one call of the debug target (engine/runtime);
// each target event becomes one DAP event. The same class runs inline in the extension host and
// in the standalone adapter (stdio or TCP). No behaviour lives here: this file only translates.

import { ContinuedEvent, DebugSession, Event, ExitedEvent, InitializedEvent, InvalidatedEvent, OutputEvent, ProgressEndEvent, ProgressStartEvent, ProgressUpdateEvent, StoppedEvent, TerminatedEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { launch, type LaunchHost } from '../../engine/runtime/launch';
import type { DebugTarget, StopEvent } from '../../engine/runtime/debugTarget';
import type { VarNode } from '../../engine/runtime/varTree';
import { capabilities } from './capabilities';
import { checkGoToTime, CUSTOM, type StoppedEventBody } from './customProtocol';

/** How long launch waits for configurationDone before it runs anyway. */
const CONFIGURATION_WAIT_MS = 5000;

export class MigtraceSession extends DebugSession {
  private target: DebugTarget | null = null;
  private client: DebugProtocol.InitializeRequestArguments = { adapterID: 'migtrace' };
  private configured = false;
  private onConfigured: (() => void) | null = null;
  private moving = false;
  private ended = false;

  constructor(private readonly host: LaunchHost) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  /** A client gone without a disconnect (a closed stream, a dropped socket) ends the run's background work too. */
  override start(inStream: NodeJS.ReadableStream, outStream: NodeJS.WritableStream): void {
    super.start(inStream, outStream);
    const gone = (): void => this.target?.dispose();
    inStream.on('end', gone);
    inStream.on('close', gone);
  }

  override dispose(): void {
    this.target?.dispose();
    super.dispose();
  }

  /** DAP thread ids start at 1; the simulation's at 0. */
  private static threadId(tid: number): number {
    return tid + 1;
  }

  private fail(response: DebugProtocol.Response, message: string): void {
    this.sendErrorResponse(response, { id: 1, format: message.replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')), showUser: true });
  }

  private withTarget(response: DebugProtocol.Response, f: (t: DebugTarget) => void): void {
    if (this.target === null) return this.fail(response, 'no run is loaded: the launch failed or has not happened yet');
    try {
      f(this.target);
    } catch (e) {
      this.fail(response, (e as Error).message);
    }
  }

  /** A movement of the run: respond at once, then move; one at a time. A client knows that
   *  continue, next, stepBack... resume the threads; for migtrace's own movements (next stage,
   *  go to time) it is told with a `continued` event, or it would go on showing the threads as
   *  stopped, with their last stop's reasons, while the run moves. */
  private move(response: DebugProtocol.Response, f: (t: DebugTarget) => Promise<void>, custom = false): void {
    if (this.target === null) return this.fail(response, 'no run is loaded');
    if (this.moving) return this.fail(response, 'the run is already moving; pause it first');
    this.sendResponse(response);
    if (custom) this.sendEvent(new ContinuedEvent(1, true));
    this.run(this.target, f);
  }

  private run(t: DebugTarget, f: (t: DebugTarget) => Promise<void>): void {
    this.moving = true;
    f(t).catch((e: unknown) => {
      const message = (e as Error).message;
      this.sendEvent(new OutputEvent(`migtrace: the movement failed: ${message}\n`, 'stderr'));
      // A client waits for a stop after every movement: without one it shows the run as running forever.
      if (this.moving) {
        const ev = new StoppedEvent('pause', 1) as DebugProtocol.StoppedEvent;
        ev.body.description = `Stopped: the movement failed (${message}); the Debug Console has the message`;
        ev.body.allThreadsStopped = true;
        this.sendEvent(ev);
      }
    }).finally(() => {
      this.moving = false;
    });
  }

  private attach(t: DebugTarget): void {
    t.events.on('stopped', (e: StopEvent) => {
      // Stopped: the next movement may come as soon as the client sees this event.
      this.moving = false;
      const ev = new StoppedEvent(e.reason, MigtraceSession.threadId(e.tid), e.text) as DebugProtocol.StoppedEvent;
      ev.body.description = e.description || undefined;
      ev.body.allThreadsStopped = true;
      if (e.bpIds.length > 0) ev.body.hitBreakpointIds = e.bpIds;
      this.sendEvent(ev);
      const body: StoppedEventBody = { time_ns: e.time_ns, decision: e.decision, steps: e.steps, reason: e.reason };
      this.sendEvent(new Event(CUSTOM.stopped, body));
    });
    t.events.on('output', (text, category) => this.sendEvent(new OutputEvent(text, category)));
    t.events.on('invalidated', () => {
      if (this.client.supportsInvalidatedEvent) this.sendEvent(new InvalidatedEvent(['all']));
    });
    t.events.on('progress', (p) => {
      if (!this.client.supportsProgressReporting) return;
      if (p.kind === 'start') {
        const ev = new ProgressStartEvent(p.id, p.title ?? 'migtrace', p.message) as DebugProtocol.ProgressStartEvent;
        ev.body.cancellable = true;
        this.sendEvent(ev);
      } else if (p.kind === 'update') this.sendEvent(new ProgressUpdateEvent(p.id, p.message));
      else this.sendEvent(new ProgressEndEvent(p.id));
    });
    t.events.on('ended', (code) => {
      if (this.ended) return;
      this.ended = true;
      this.sendEvent(new ExitedEvent(code));
      this.sendEvent(new TerminatedEvent());
    });
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.client = args;
    response.body = capabilities();
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): Promise<void> {
    if (this.target !== null) return this.fail(response, 'this session already runs a launch; start a new session for another');
    let t: DebugTarget;
    try {
      const l = await launch(args as Record<string, unknown>, this.host);
      t = l.target;
      this.attach(t);
      this.target = t;
      this.sendEvent(new OutputEvent(`migtrace: ${l.summary}\n`, 'console'));
      // Breakpoints and exception filters come after `initialized`, then configurationDone.
      this.sendEvent(new InitializedEvent());
      await this.configurationDone();
      this.sendResponse(response);
      const cfg = l.config;
      this.run(t, (tg) => tg.start({ stopOnEntry: cfg.stopOnEntry ?? false, stopAtTime: cfg.stopAtTime }));
    } catch (e) {
      // The adapter lives on: a later launch in this session (or another session) can succeed.
      this.target = null;
      this.fail(response, (e as Error).message);
    }
  }

  private configurationDone(): Promise<void> {
    if (this.configured) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, CONFIGURATION_WAIT_MS);
      this.onConfigured = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configured = true;
    this.onConfigured?.();
    this.sendResponse(response);
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    this.withTarget(response, (t) => {
      const specs = (args.breakpoints ?? []).map((b) => ({ line: b.line, condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage }));
      const ref = args.source.sourceReference ?? 0;
      const r = t.setLineBreakpoints(ref, specs, args.source.name);
      // A source only where the listing is another than the one the client sent (a reference from
      // an earlier session): VS Code moves a breakpoint to the source a response names, and the
      // source it sent back (a listing's has a reference and no path) is not its editor's.
      response.body = { breakpoints: r.map((b) => ({ id: b.id, verified: b.verified, message: b.message, line: b.line, source: b.sourceRef !== undefined && b.sourceRef !== ref ? { ...args.source, sourceReference: b.sourceRef } : undefined })) };
      this.sendResponse(response);
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.withTarget(response, (t) => {
      response.body = { breakpoints: t.setFunctionBreakpoints(args.breakpoints).map((b) => ({ id: b.id, verified: b.verified, message: b.message })) };
      this.sendResponse(response);
    });
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.withTarget(response, (t) => {
      const specs = [...(args.filters ?? []).map((filterId) => ({ filterId })), ...(args.filterOptions ?? []).map((o) => ({ filterId: o.filterId, condition: o.condition }))];
      response.body = { breakpoints: t.setExceptionFilters(specs).map((b) => ({ id: b.id, verified: b.verified, message: b.message })) };
      this.sendResponse(response);
    });
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    this.withTarget(response, (t) => {
      const r = t.dataBreakpointInfo(args.variablesReference ?? 0, args.name);
      response.body = { dataId: r.dataId, description: r.description, accessTypes: r.dataId === null ? undefined : ['write'], canPersist: r.dataId !== null };
      this.sendResponse(response);
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.withTarget(response, (t) => {
      response.body = { breakpoints: t.setDataBreakpoints(args.breakpoints).map((b) => ({ id: b.id, verified: b.verified, message: b.message })) };
      this.sendResponse(response);
    });
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    this.withTarget(response, (t) => {
      response.body = { threads: t.threads().map((th) => ({ id: MigtraceSession.threadId(th.tid), name: th.name })) };
      this.sendResponse(response);
    });
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    this.withTarget(response, (t) => {
      const all = t.stack(args.threadId - 1);
      const start = args.startFrame ?? 0;
      const frames = all.slice(start, args.levels ? start + args.levels : undefined);
      response.body = {
        totalFrames: all.length,
        stackFrames: frames.map((f) => ({
          id: f.id,
          name: f.name,
          line: f.line,
          column: 1,
          canRestart: f.canRestart,
          presentationHint: f.hint,
          source: f.sourceRef > 0 ? { name: f.sourceName, sourceReference: f.sourceRef, origin: 'migtrace model listing' } : f.path !== undefined ? { name: f.sourceName, path: f.path } : undefined,
        })),
      };
      this.sendResponse(response);
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.withTarget(response, (t) => {
      response.body = { scopes: t.scopes(args.frameId).map((s) => ({ name: s.name, variablesReference: s.ref, expensive: s.expensive, presentationHint: s.hint })) };
      this.sendResponse(response);
    });
  }

  private variable(t: DebugTarget, v: VarNode): DebugProtocol.Variable {
    const out: DebugProtocol.Variable = { name: v.name, value: v.value, variablesReference: v.children ? t.varRef(v.children) : 0 };
    if (v.lazy) out.presentationHint = { lazy: true };
    if (v.dataId !== undefined) out.evaluateName = v.name;
    return out;
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    this.withTarget(response, (t) => {
      response.body = { variables: t.variables(args.variablesReference).map((v) => this.variable(t, v)) };
      this.sendResponse(response);
    });
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    this.withTarget(response, (t) => {
      const s = t.source(args.source?.sourceReference ?? args.sourceReference);
      if (s === null) return this.fail(response, `no listing for source reference ${args.sourceReference}`);
      response.body = { content: s.content, mimeType: s.mimeType };
      this.sendResponse(response);
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    this.withTarget(response, (t) => {
      const e = t.exceptionInfo();
      if (e === null) return this.fail(response, 'the run is not stopped on an exception');
      // The report starts with the description; VS Code's exception widget shows both, one under the other.
      const rest = e.details.startsWith(e.description) ? e.details.slice(e.description.length).replace(/^\n+/, '') : e.details;
      response.body = { exceptionId: e.id, description: e.description, breakMode: 'always', details: { message: e.description, typeName: e.id, stackTrace: rest } };
      this.sendResponse(response);
    });
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    this.withTarget(response, (t) => {
      response.body = { result: t.evaluate(args.expression, args.frameId), variablesReference: 0 };
      this.sendResponse(response);
    });
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.move(response, (t) => t.continue());
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.move(response, (t) => t.step(args.threadId - 1, 'over'));
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.move(response, (t) => t.step(args.threadId - 1, 'in'));
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.move(response, (t) => t.step(args.threadId - 1, 'out'));
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    this.move(response, (t) => t.stepBack(args.threadId - 1));
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.move(response, (t) => t.reverseContinue());
  }

  protected override restartFrameRequest(response: DebugProtocol.RestartFrameResponse, args: DebugProtocol.RestartFrameArguments): void {
    this.move(response, (t) => t.restartFrame(args.frameId));
  }

  protected override async gotoTargetsRequest(response: DebugProtocol.GotoTargetsResponse, args: DebugProtocol.GotoTargetsArguments): Promise<void> {
    if (this.target === null) return this.fail(response, 'no run is loaded');
    if (this.moving) return this.fail(response, 'the run is moving');
    this.moving = true;
    try {
      const targets = await this.target.gotoTargets(args.source.sourceReference ?? 0, args.line);
      response.body = { targets: targets.map((g) => ({ id: g.id, label: g.label, line: g.line })) };
      this.sendResponse(response);
    } catch (e) {
      this.fail(response, (e as Error).message);
    } finally {
      this.moving = false;
    }
  }

  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    this.move(response, (t) => t.goto(args.targetId));
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.withTarget(response, (t) => {
      t.pause();
      this.sendResponse(response);
    });
  }

  protected override cancelRequest(response: DebugProtocol.CancelResponse, args: DebugProtocol.CancelArguments): void {
    if (args.progressId !== undefined) this.target?.cancel(args.progressId);
    this.sendResponse(response);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.sendResponse(response);
    if (this.target !== null) this.target.terminate();
    else if (!this.ended) {
      this.ended = true;
      this.sendEvent(new TerminatedEvent());
    }
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.target?.dispose();
    this.sendResponse(response);
  }

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    switch (command) {
      case CUSTOM.goToTime: {
        const bad = checkGoToTime(args);
        if (bad !== null) return this.fail(response, bad);
        return this.move(response, (t) => t.goToTime((args as { time_ns: number }).time_ns), true);
      }
      case CUSTOM.nextStage:
        return this.move(response, (t) => t.nextStage(), true);
      case CUSTOM.nextIteration:
        return this.move(response, (t) => t.nextIteration(), true);
      case CUSTOM.lockTable:
        return this.withTarget(response, (t) => {
          response.body = { locks: t.lockTable() };
          this.sendResponse(response);
        });
      default:
        return this.fail(response, `unknown request "${command}"`);
    }
  }
}
