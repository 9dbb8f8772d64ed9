/**
 * A minimal Janus HTTP API client for the voice harness spec, playing the part the server plays in production
 * (src/KamaChat.Server/Infrastructure/Janus): it holds the Janus secrets and relays the pages' SDP. Phase B's specs
 * drive calls through the real server instead.
 */

type Json = Record<string, unknown>;
export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
}
export interface Reply {
  data: Json;
  jsep?: Jsep;
}

export class JanusError extends Error {
  constructor(
    readonly code: number,
    reason: string,
  ) {
    super(`Janus error ${code}: ${reason}`);
  }
}

export class JanusSession {
  private readonly pending = new Map<string, (message: Json) => void>();
  private readonly listeners = new Map<number, (message: Json) => void>();
  private closed = false;
  private counter = 0;

  private constructor(
    private readonly url: string,
    private readonly apiSecret: string,
    readonly id: number,
  ) {}

  static async create(url: string, apiSecret: string): Promise<JanusSession> {
    const reply = await post(url, apiSecret, { janus: 'create', transaction: 'create' });
    const session = new JanusSession(url, apiSecret, (reply.data as { id: number }).id);
    void session.poll();
    void session.keepAlive();
    return session;
  }

  async attach(): Promise<JanusHandle> {
    const reply = await this.post(`/${this.id}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' });
    return new JanusHandle(this, (reply.data as { id: number }).id);
  }

  /** A synchronous plugin request (create, destroy, allowed, kick, moderate, listparticipants). */
  async request(handle: number, body: Json): Promise<Json> {
    return pluginData(await this.post(`/${this.id}/${handle}`, { janus: 'message', body }));
  }

  /** An asynchronous plugin request (join, publish, start): waits for the event that answers it. */
  async message(handle: number, body: Json, jsep?: Jsep): Promise<Reply> {
    const transaction = `t${++this.counter}`;
    // Registered before the POST: the answer can come on the long poll before the POST's ack does.
    const answered = new Promise<Json>((resolve) => this.pending.set(transaction, resolve));
    const ack = await this.post(`/${this.id}/${handle}`, { janus: 'message', body, jsep, transaction });
    const reply = ack.janus === 'ack' ? await answered : ack;
    this.pending.delete(transaction);
    return { data: pluginData(reply), jsep: reply.jsep as Jsep | undefined };
  }

  onEvent(handle: number, listener: (message: Json) => void) {
    this.listeners.set(handle, listener);
  }

  async destroy() {
    this.closed = true;
    await this.post(`/${this.id}`, { janus: 'destroy' }).catch(() => undefined);
  }

  private post(path: string, body: Json): Promise<Json> {
    return post(this.url + path, this.apiSecret, { transaction: `t${++this.counter}`, ...body });
  }

  private async poll() {
    while (!this.closed) {
      try {
        const response = await fetch(`${this.url}/${this.id}?maxev=10&apisecret=${encodeURIComponent(this.apiSecret)}`);
        const events = (await response.json()) as Json | Json[];
        for (const event of Array.isArray(events) ? events : [events]) {
          const waiting = this.pending.get(event.transaction as string);
          if (waiting) waiting(event);
          else this.listeners.get(event.sender as number)?.(event);
        }
      } catch {
        if (!this.closed) await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  private async keepAlive() {
    while (!this.closed) {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      if (!this.closed) await this.post(`/${this.id}`, { janus: 'keepalive' }).catch(() => undefined);
    }
  }
}

export class JanusHandle {
  constructor(
    readonly session: JanusSession,
    readonly id: number,
  ) {}

  request(body: Json) {
    return this.session.request(this.id, body);
  }

  message(body: Json, jsep?: Jsep) {
    return this.session.message(this.id, body, jsep);
  }
}

async function post(url: string, apiSecret: string, body: Json): Promise<Json> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify({ ...body, apisecret: apiSecret }) });
  const reply = (await response.json()) as Json;
  if (reply.janus === 'error') {
    const error = reply.error as { code: number; reason: string };
    throw new JanusError(error.code, error.reason);
  }
  return reply;
}

function pluginData(reply: Json): Json {
  const data = (reply.plugindata as { data: Json } | undefined)?.data;
  if (!data) throw new Error(`an answer without plugin data: ${JSON.stringify(reply)}`);
  if (data.error_code) throw new JanusError(data.error_code as number, data.error as string);
  return data;
}
