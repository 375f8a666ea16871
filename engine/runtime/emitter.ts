// A small typed event emitter: engine/ has no Node `events` (it also runs in a webview).

export class Emitter<E extends { [K in keyof E]: (...args: any[]) => void }> {
  private readonly listeners: { [K in keyof E]?: E[K][] } = {};

  on<K extends keyof E>(event: K, f: E[K]): void {
    (this.listeners[event] ??= []).push(f);
  }

  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    for (const f of this.listeners[event] ?? []) f(...args);
  }
}
