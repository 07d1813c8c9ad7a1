import { WebhookReceiver } from './webhook-receiver';

describe('WebhookReceiver.failNext', () => {
  let hooks: WebhookReceiver<{ caseId?: string }>;
  beforeAll(async () => {
    hooks = await WebhookReceiver.start<{ caseId?: string }>();
  });
  afterAll(() => hooks.stop());

  const post = (path: string, caseId: string) =>
    fetch(hooks.url(path), { method: 'POST', body: JSON.stringify({ caseId }) }).then((r) => r.status);

  it('fails the next requests to a path, then answers 202', async () => {
    hooks.failNext(2, '/a', 503);
    expect([await post('/a', 'x'), await post('/b', 'x'), await post('/a', 'x'), await post('/a', 'x')]).toEqual([
      503, 202, 503, 202,
    ]);
  });

  it("with `only`, fails the next requests it accepts and lets others' through", async () => {
    hooks.failNext(1, '/a', 503, (body) => body.caseId === 'mine');
    expect([await post('/a', 'theirs'), await post('/a', 'mine'), await post('/a', 'mine')]).toEqual([202, 503, 202]);
    expect(
      hooks
        .on('/a')
        .slice(-3)
        .map((r) => [r.body.caseId, r.status]),
    ).toEqual([
      ['theirs', 202],
      ['mine', 503],
      ['mine', 202],
    ]);
  });
});
