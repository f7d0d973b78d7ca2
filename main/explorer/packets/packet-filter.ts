import type { z } from 'zod';
import type { ExplorerPacket, packetFilterSchema } from '../../../preload/contract/explorer';
import { matchLevels } from '../topic-match';

export type PacketFilter = z.output<typeof packetFilterSchema>;

/** Compiles a packet filter into a predicate (topic patterns are matched against the account's view). */
export function compilePacketFilter(filter: PacketFilter): (p: ExplorerPacket) => boolean {
  const topicLevels = filter.topic?.split('/');
  const types = filter.types && filter.types.length > 0 ? new Set<string>(filter.types) : undefined;
  return (p) => {
    if (filter.direction && p.direction !== filter.direction) return false;
    if (filter.clientId && p.clientId !== filter.clientId) return false;
    if (types && !types.has(p.type)) return false;
    if (topicLevels) {
      if (p.topic !== undefined) return matchLevels(topicLevels, p.topic.split('/'));
      if (p.filters)
        return p.filters.some((f) => matchLevels(topicLevels, f.split('/')) || f === filter.topic);
      return false;
    }
    return true;
  };
}
