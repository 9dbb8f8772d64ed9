/* A fake call participant, run in a headless Chromium page on the server's own origin (with the official SignalR
 * browser client loaded before it): it signals exactly as the web client's VoiceCall does (web/src/features/voice/
 * call.ts: JoinVoice, PublishVoice with the candidates in the SDP, SubscribeVoice and AnswerVoice after each
 * VoiceFeeds, VoiceHeartbeat, LeaveVoice), publishing Chromium's fake camera and microphone to Janus, and records when
 * the first frame of each remote video is presented (requestVideoFrameCallback) — so a frame was decoded. */
/* global signalR */
(() => {
  /** Longest wait for ICE candidates before an SDP goes out with what was gathered (as the web client). */
  const GATHER_LIMIT_MS = 3000;
  const now = () => performance.timeOrigin + performance.now();

  const state = {
    gateway: null,
    media: null,
    sender: null,
    receiver: null,
    iceServers: [],
    /** Which user each receiving mid carries. */
    owners: new Map(),
    /** The time the first frame of each user's video was presented, by user id. */
    firstFrames: {},
    heartbeat: undefined,
    syncing: null,
    again: false,
    inCall: false,
    channelId: null,
    /** Calls the server ended as expired, joined again. */
    rejoins: 0,
    ended: null,
    errors: [],
    /** Each SDP's candidate gathering: how long it took, and whether it completed or ran into GATHER_LIMIT_MS. */
    gathers: [],
  };

  function gathered(pc) {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    const started = now();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', check);
        state.gathers.push({ ms: now() - started, complete: pc.iceGatheringState === 'complete' });
        resolve();
      };
      const check = () => pc.iceGatheringState === 'complete' && done();
      const timer = setTimeout(done, GATHER_LIMIT_MS);
      pc.addEventListener('icegatheringstatechange', check);
    });
  }

  async function connect(token) {
    const gateway = new signalR.HubConnectionBuilder()
      .withUrl('/hubs/gateway', {
        transport: signalR.HttpTransportType.WebSockets,
        skipNegotiation: true,
        accessTokenFactory: () => token,
      })
      .configureLogging(signalR.LogLevel.Error)
      .build();
    const ready = new Promise((resolve) => gateway.on('Ready', resolve));
    gateway.on('VoiceFeeds', () => state.inCall && sync());
    gateway.on('VoiceEnded', (ended) => {
      state.ended = ended;
      // As the web client: a call the server stopped hearing from (heartbeats late on a starved machine) joins again.
      if (ended.reason === 'expired' && state.inCall) void rejoin();
    });
    await gateway.start();
    await ready;
    state.gateway = gateway;
    state.media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  }

  /** Joins, publishes the fake camera and microphone, and subscribes to the others; answers when each step ended. */
  async function join(channelId) {
    state.firstFrames = {};
    state.ended = null;
    state.channelId = channelId;
    state.inCall = true;
    return enter();
  }

  async function enter() {
    const joinCalled = now();
    const joined = await state.gateway.invoke('JoinVoice', state.channelId);
    const joinAnswered = now();
    clearInterval(state.heartbeat);
    state.heartbeat = setInterval(() => state.gateway.invoke('VoiceHeartbeat').catch(() => undefined), joined.heartbeatMilliseconds);
    state.iceServers = joined.iceServers.map((s) => ({
      urls: [...s.urls],
      username: s.username ?? undefined,
      credential: s.credential ?? undefined,
    }));
    if (!joined.canSpeak || !joined.canVideo) throw new Error('the bench members may not send audio and video (SPEAK, VIDEO)');
    const pc = new RTCPeerConnection({ iceServers: state.iceServers, bundlePolicy: 'max-bundle' });
    state.sender = pc;
    for (const track of state.media.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [state.media] });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const answer = await state.gateway.invoke('PublishVoice', pc.localDescription.sdp);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    const published = now();
    sync();
    return { joinCalled, joinAnswered, published };
  }

  /** The call expired: drop both PeerConnections and join again (the first frames already seen stay counted). */
  async function rejoin() {
    state.rejoins++;
    state.sender?.close();
    state.receiver?.close();
    state.sender = state.receiver = null;
    try {
      await enter();
    } catch (e) {
      state.errors.push(`rejoin: ${e}`);
    }
  }

  /** Brings what we receive up to date with who publishes (one run at a time, again if asked meanwhile). */
  function sync() {
    if (state.syncing) {
      state.again = true;
      return;
    }
    state.syncing = (async () => {
      do {
        state.again = false;
        try {
          const offer = await state.gateway.invoke('SubscribeVoice');
          if (offer && state.inCall) await receive(offer);
        } catch (e) {
          state.errors.push(String(e));
        }
      } while (state.again && state.inCall);
      state.syncing = null;
    })();
  }

  async function receive(offer) {
    if (offer.restart || !state.receiver) {
      state.receiver?.close();
      const pc = new RTCPeerConnection({ iceServers: state.iceServers });
      pc.ontrack = (e) => play(e);
      state.receiver = pc;
    }
    state.owners = new Map(offer.streams.map((s) => [s.mid, s.userId]));
    const pc = state.receiver;
    await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await state.gateway.invoke('AnswerVoice', pc.localDescription.sdp);
  }

  function play(e) {
    if (e.track.kind !== 'video') return;
    const user = state.owners.get(e.transceiver.mid);
    if (!user) return;
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    video.width = 160;
    video.height = 120;
    video.srcObject = new MediaStream([e.track]);
    document.body.appendChild(video);
    video.requestVideoFrameCallback(() => {
      state.firstFrames[user] ??= now();
    });
  }

  /** Frames decoded so far from each user's video (the receiving PeerConnection's inbound-rtp stats). */
  async function decoded() {
    const result = {};
    if (!state.receiver) return result;
    const mids = new Map(state.receiver.getTransceivers().map((t) => [t.receiver.track.id, t.mid]));
    (await state.receiver.getStats()).forEach((s) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
      const user = state.owners.get(mids.get(s.trackIdentifier));
      if (user) result[user] = (result[user] ?? 0) + (s.framesDecoded ?? 0);
    });
    return result;
  }

  /** Media bytes this page has sent to Janus and received from it so far (RTP payload and headers, all streams). */
  async function media() {
    const totals = { sent: 0, received: 0 };
    for (const pc of [state.sender, state.receiver]) {
      if (!pc) continue;
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'outbound-rtp') totals.sent += (s.bytesSent ?? 0) + (s.headerBytesSent ?? 0);
        if (s.type === 'inbound-rtp') totals.received += (s.bytesReceived ?? 0) + (s.headerBytesReceived ?? 0);
      });
    }
    return totals;
  }

  async function leave() {
    state.inCall = false;
    clearInterval(state.heartbeat);
    await state.syncing;
    state.sender?.close();
    state.receiver?.close();
    state.sender = state.receiver = null;
    document.querySelectorAll('video').forEach((v) => v.remove());
    await state.gateway.invoke('LeaveVoice');
  }

  window.bench = {
    connect,
    join,
    leave,
    decoded,
    media,
    firstFrames: () => ({ ...state.firstFrames }),
    problems: () => ({ ended: state.ended, errors: [...state.errors] }),
    gathers: () => state.gathers.splice(0),
    rejoins: () => state.rejoins,
  };
})();
