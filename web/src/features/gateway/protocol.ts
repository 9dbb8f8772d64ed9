// The hub's messages (src/KamaChat.Server/Features/Gateway/Contracts.cs). The OpenAPI document describes the
// REST API only, so these mirror the hub's records; everything they carry inside is typed from the OpenAPI schema.
import type { Me } from '../../api/types';

export interface GatewayEvent {
  id: string;
  type: string;
  scope: 'channel' | 'server' | 'user';
  scopeId: string;
  sequence: number;
  /** The event's JSON as logged. */
  data: string;
}

export interface StreamCursorsDto {
  channels?: Record<string, number> | null;
  servers?: Record<string, number> | null;
  user?: number | null;
}

export interface ResumeResult {
  events: GatewayEvent[];
  refetch: { scope: 'channel' | 'server' | 'user'; scopeId: string }[];
}

export interface ReadyChannel {
  id: string;
  type: string;
  name: string | null;
  topic: string | null;
  parentId: string | null;
  position: number;
  lastMessageId: string | null;
  /** Your permissions in the channel, a 64-bit bitfield as a decimal string. */
  permissions: string;
}

export interface ReadyServer {
  id: string;
  name: string;
  iconUrl: string | null;
  ownerId: string;
  channels: ReadyChannel[];
}

export interface ReadyDirectChannel {
  id: string;
  type: string;
  name: string | null;
  ownerId: string | null;
  recipientIds: string[];
  lastMessageId: string | null;
}

export interface ReadyReadState {
  channelId: string;
  lastReadMessageId: string;
  mentionCount: number;
}

export interface PresenceSignal {
  userId: string;
  status: string;
}

export interface TypingSignal {
  channelId: string;
  userId: string;
  expiresAt: string;
}

export interface ReadyPayload {
  user: Me;
  servers: ReadyServer[];
  directChannels: ReadyDirectChannel[];
  readStates: ReadyReadState[];
  presences: PresenceSignal[];
  cursors: StreamCursorsDto;
  sessionId: string;
  nodeId: number;
  /** The presence this user chose (online, idle, dnd, invisible); absent from servers that predate it. */
  status?: 'online' | 'idle' | 'dnd' | 'invisible';
}
