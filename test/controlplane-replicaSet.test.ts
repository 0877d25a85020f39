import { describe, expect, it } from 'vitest';
import { podsToDelete, type ReplicaView } from '../src/controlplane/replicaSet.js';

const running = (pod: number, createdAt: number, readySince = createdAt + 5): ReplicaView => ({
  pod,
  assigned: true,
  running: true,
  ready: true,
  readySince,
  createdAt,
});

describe('the ReplicaSet scale-down victims', () => {
  it('are the newest pods when all are alike', () => {
    const pods = [running(0, 0), running(1, 10), running(2, 20), running(3, 30)];
    expect(podsToDelete(pods, 2)).toEqual([3, 2]);
  });

  it('are unscheduled pods first, then Pending ones, then not-ready ones, before any ready pod', () => {
    const pending: ReplicaView = { pod: 4, assigned: false, running: false, ready: false, readySince: NaN, createdAt: 0 };
    const starting: ReplicaView = { pod: 5, assigned: true, running: false, ready: false, readySince: NaN, createdAt: 0 };
    const unready: ReplicaView = { ...running(6, 0), ready: false, readySince: NaN };
    const pods = [running(0, 100), unready, starting, pending];
    expect(podsToDelete(pods, 4)).toEqual([4, 5, 6, 0]);
  });

  it('prefer the pod ready for the shortest time over a newer pod ready for longer', () => {
    const pods = [running(0, 0, 50), running(1, 10, 20)];
    expect(podsToDelete(pods, 1)).toEqual([0]);
  });

  it('take nothing for a count of zero or less', () => {
    expect(podsToDelete([running(0, 0)], 0)).toEqual([]);
    expect(podsToDelete([running(0, 0)], -1)).toEqual([]);
  });
});
