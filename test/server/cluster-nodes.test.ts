import { parseClusterNodes, parseClusterShards } from '../../src/server/cluster-nodes.js';

// `CLUSTER NODES` of a six-node Redis 7.0 cluster made by `redis-cli --cluster create --cluster-replicas 1`.
const NODES = `10da9e8da82a72b15c3d6af073e33d202d95eb4d 127.0.0.1:30006@40006 slave ac1ebad4f57835b2aee244897f145486451a9de6 0 1795642830000 3 connected
468208649b922603a197a334adb716a875f76d83 127.0.0.1:30004@40004 slave 9c6a1ce1b013799fd04af652aa3397b61a907617 0 1795642830925 1 connected
7c369e1f53ccab016d0302e612cc49c8a9344e0a 127.0.0.1:30002@40002 master - 0 1795642830000 2 connected 5461-10922
9c6a1ce1b013799fd04af652aa3397b61a907617 127.0.0.1:30001@40001 myself,master - 0 1795642830000 1 connected 0-5460
ac1ebad4f57835b2aee244897f145486451a9de6 127.0.0.1:30003@40003 master - 0 1795642830000 3 connected 10923-16383
87cde8abaadf5abc0c6b99472f09d83024656265 127.0.0.1:30005@40005 slave 7c369e1f53ccab016d0302e612cc49c8a9344e0a 0 1795642830522 2 connected
`;

describe('parseClusterNodes', () => {
  test('six nodes: roles, addresses, primaries of replicas, slot ranges, myself', () => {
    const nodes = parseClusterNodes(NODES);
    expect(nodes).toHaveLength(6);
    expect(nodes.find((n) => n.port === 30001)).toEqual({
      id: '9c6a1ce1b013799fd04af652aa3397b61a907617',
      host: '127.0.0.1',
      port: 30001,
      role: 'primary',
      slots: [[0, 5460]],
      myself: true,
    });
    expect(nodes.find((n) => n.port === 30004)).toEqual({
      id: '468208649b922603a197a334adb716a875f76d83',
      host: '127.0.0.1',
      port: 30004,
      role: 'replica',
      primaryId: '9c6a1ce1b013799fd04af652aa3397b61a907617',
      slots: [],
      myself: false,
    });
    expect(nodes.filter((n) => n.role === 'primary').map((n) => n.slots)).toEqual([
      [[5461, 10922]],
      [[0, 5460]],
      [[10923, 16383]],
    ]);
  });

  test('single slots, several ranges, and slots under migration (not owned) are told apart', () => {
    const [node] = parseClusterNodes(
      'aaaa 10.0.0.1:7000@17000 master - 0 0 1 connected 0-99 100 200-300 [301->-bbbb] [302-<-cccc]\n',
    );
    expect(node!.slots).toEqual([
      [0, 99],
      [100, 100],
      [200, 300],
    ]);
  });

  test('failed, handshake and address-less nodes are kept but marked unusable', () => {
    const nodes = parseClusterNodes(
      [
        'a1 127.0.0.1:7001@17001 master,fail - 0 0 1 disconnected',
        'a2 127.0.0.1:7002@17002 slave,fail? a1 0 0 1 connected',
        'a3 127.0.0.1:7003@17003 handshake - 0 0 0 connected',
        'a4 :0@0 master,noaddr - 0 0 0 disconnected',
      ].join('\n'),
    );
    expect(nodes.map((n) => n.unusable)).toEqual(['marked failed', undefined, 'in handshake', 'no address']);
  });

  test('IPv6 addresses, announced hostnames and pre-4.0 addresses without a bus port', () => {
    const nodes = parseClusterNodes(
      [
        'b1 ::1:7001@17001 master - 0 0 1 connected 0-16383',
        'b2 :7002@17002,redis-2.example master - 0 0 1 connected',
        'b3 127.0.0.1:7003 slave b1 0 0 1 connected',
      ].join('\n'),
    );
    expect(nodes.map((n) => [n.host, n.port])).toEqual([
      ['::1', 7001],
      ['redis-2.example', 7002],
      ['127.0.0.1', 7003],
    ]);
  });

  test('a line that is not a CLUSTER NODES line is an error, not a silent skip', () => {
    expect(() => parseClusterNodes('hello world\n')).toThrow(/unexpected CLUSTER NODES line/);
  });
});

// `CLUSTER SHARDS` of the same cluster as node-redis hands it over with RESP3 (maps as objects).
// On 7.0 a replica with replication offset 0 reports health "loading": it is still usable.
const SHARDS_RESP3 = [
  {
    slots: [5461, 10922],
    nodes: [
      {
        id: '7c36',
        port: 30002,
        ip: '127.0.0.1',
        endpoint: '127.0.0.1',
        role: 'master',
        'replication-offset': 0,
        health: 'online',
      },
      {
        id: '87cd',
        port: 30005,
        ip: '127.0.0.1',
        endpoint: '127.0.0.1',
        role: 'replica',
        'replication-offset': 0,
        health: 'loading',
      },
    ],
  },
  {
    slots: [0, 5460],
    nodes: [
      {
        id: '9c6a',
        port: 30001,
        ip: '127.0.0.1',
        endpoint: '127.0.0.1',
        role: 'master',
        'replication-offset': 0,
        health: 'online',
      },
      {
        id: '4682',
        port: 30004,
        ip: '127.0.0.1',
        endpoint: '127.0.0.1',
        role: 'replica',
        'replication-offset': 0,
        health: 'online',
      },
    ],
  },
];

describe('parseClusterShards', () => {
  test('RESP3 maps: primaries with slots, replicas with their primary', () => {
    const nodes = parseClusterShards(SHARDS_RESP3);
    expect(nodes).toEqual([
      { id: '7c36', host: '127.0.0.1', port: 30002, role: 'primary', slots: [[5461, 10922]], myself: false },
      { id: '87cd', host: '127.0.0.1', port: 30005, role: 'replica', primaryId: '7c36', slots: [], myself: false },
      { id: '9c6a', host: '127.0.0.1', port: 30001, role: 'primary', slots: [[0, 5460]], myself: false },
      { id: '4682', host: '127.0.0.1', port: 30004, role: 'replica', primaryId: '9c6a', slots: [], myself: false },
    ]);
  });

  test('RESP2 flat key/value arrays and Map replies give the same nodes', () => {
    const flat = (o: Record<string, unknown>): unknown[] => Object.entries(o).flatMap(([k, v]) => [k, v]);
    const resp2 = SHARDS_RESP3.map((s) => flat({ slots: s.slots.map(String), nodes: s.nodes.map(flat) }));
    const maps = SHARDS_RESP3.map(
      (s) =>
        new Map<string, unknown>([
          ['slots', s.slots],
          ['nodes', s.nodes.map((n) => new Map(Object.entries(n)))],
        ]),
    );
    expect(parseClusterShards(resp2)).toEqual(parseClusterShards(SHARDS_RESP3));
    expect(parseClusterShards(maps)).toEqual(parseClusterShards(SHARDS_RESP3));
  });

  test('a shard with several slot ranges', () => {
    const [primary] = parseClusterShards([
      {
        slots: [0, 10, 20, 20],
        nodes: [{ id: 'p', port: 7000, ip: '10.0.0.1', endpoint: '10.0.0.1', role: 'master', health: 'online' }],
      },
    ]);
    expect(primary!.slots).toEqual([
      [0, 10],
      [20, 20],
    ]);
  });

  // Redis 7.0.15 after a primary and a replica of another shard were killed and the failover was over:
  // the failed primary sits in a shard of its own without slots; both report health "fail".
  test('nodes with health "fail" are marked unusable; "loading" and "online" are usable', () => {
    const nodes = parseClusterShards([
      {
        slots: [5461, 10922],
        nodes: [
          {
            id: 'bfb0',
            port: 31004,
            ip: '127.0.0.1',
            endpoint: '127.0.0.1',
            role: 'master',
            'replication-offset': 0,
            health: 'online',
          },
        ],
      },
      {
        slots: [],
        nodes: [
          {
            id: '8d3f',
            port: 31002,
            ip: '127.0.0.1',
            endpoint: '127.0.0.1',
            role: 'master',
            'replication-offset': 0,
            health: 'fail',
          },
        ],
      },
      {
        slots: [10923, 16383],
        nodes: [
          {
            id: '9fcd',
            port: 31003,
            ip: '127.0.0.1',
            endpoint: '127.0.0.1',
            role: 'master',
            'replication-offset': 0,
            health: 'online',
          },
          {
            id: '6b84',
            port: 31005,
            ip: '127.0.0.1',
            endpoint: '127.0.0.1',
            role: 'replica',
            'replication-offset': 0,
            health: 'fail',
          },
          {
            id: '7e21',
            port: 31007,
            ip: '127.0.0.1',
            endpoint: '127.0.0.1',
            role: 'replica',
            'replication-offset': 0,
            health: 'loading',
          },
        ],
      },
    ]);
    expect(nodes.map((n) => [n.port, n.role, n.unusable])).toEqual([
      [31004, 'primary', undefined],
      [31002, 'primary', 'marked failed'],
      [31003, 'primary', undefined],
      [31005, 'replica', 'marked failed'],
      [31007, 'replica', undefined],
    ]);
  });

  test('the endpoint wins over the IP; "?" falls back to the IP; TLS picks tls-port', () => {
    const nodes = parseClusterShards(
      [
        {
          slots: [0, 16383],
          nodes: [
            {
              id: 'p',
              port: 7000,
              'tls-port': 7100,
              ip: '10.0.0.1',
              endpoint: 'redis-0.example',
              hostname: 'redis-0.example',
              role: 'master',
              health: 'online',
            },
            { id: 'r', 'tls-port': 7101, ip: '10.0.0.2', endpoint: '?', role: 'replica', health: 'online' },
          ],
        },
      ],
      { tls: true },
    );
    expect(nodes.map((n) => [n.host, n.port])).toEqual([
      ['redis-0.example', 7100],
      ['10.0.0.2', 7101],
    ]);
    expect(
      parseClusterShards([
        { slots: [0, 1], nodes: [{ id: 'p', port: 7000, 'tls-port': 7100, ip: '10.0.0.1', role: 'master' }] },
      ])[0]!.port,
    ).toBe(7000);
  });

  test('a reply that is not an array is an error', () => {
    expect(() => parseClusterShards('OK')).toThrow(/CLUSTER SHARDS/);
  });
});
