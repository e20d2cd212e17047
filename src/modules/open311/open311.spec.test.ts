import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { testBackends } from '../../platform/db/testing.ts';
import { Gazetteer, type Place } from './index.ts';
import { openOpen311TestApp } from './open311.testing.ts';

const KEY = 'o311-spec-client-key-0123456789';

/** GeoReport v2 to the letter, on the real app and both engines. */
describe.each(testBackends)('Open311 GeoReport v2 on %s', (kind) => {
  let app: App;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ app, close } = await openOpen311TestApp(kind, KEY));
  }, 180_000);
  afterAll(() => close?.());

  const raw = (url: string, payload: string | Buffer, contentType: string) =>
    app.http.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload });
  const post = async (fields: Record<string, string>, format = 'json') => {
    const res = await raw(
      `/open311/v2/requests.${format}`,
      new URLSearchParams(fields).toString(),
      'application/x-www-form-urlencoded',
    );
    return { status: res.statusCode, body: format === 'json' ? res.json() : res.body };
  };
  const get = async (url: string) => {
    const res = await app.http.inject({ url });
    return { status: res.statusCode, body: url.includes('.json') ? res.json() : res.body };
  };
  const base = { api_key: KEY, service_code: 'general', description: '路面有一个大坑，车辆经过很危险' };
  // Far apart so that no report is merged into another as a duplicate.
  let spot = 0;
  const where = () => {
    spot++;
    return { lat: String(29.54 + spot * 0.003), long: String(106.55 + spot * 0.002) };
  };
  const xmlError = (status: number) =>
    new RegExp(
      `^<\\?xml version="1.0" encoding="utf-8"\\?><errors><error><code>${status}</code><description>.+</description></error></errors>$`,
    );

  it('answers framework errors in the spec’s format: malformed JSON 400, too large 413, XML/multipart 415', async () => {
    const bad = await raw('/open311/v2/requests.json', '{"api_key": ', 'application/json');
    expect([bad.statusCode, bad.json()]).toEqual([400, [{ code: 400, description: expect.any(String) }]]);
    const badXml = await raw('/open311/v2/requests.xml', '{"api_key": ', 'application/json');
    expect([badXml.statusCode, badXml.headers['content-type']]).toEqual([400, 'text/xml; charset=utf-8']);
    expect(badXml.body).toMatch(xmlError(400));

    const big = await raw(
      '/open311/v2/requests.json',
      JSON.stringify({ ...base, ...where(), description: '坑'.repeat(1024 * 1024) }),
      'application/json',
    );
    expect([big.statusCode, big.json()[0].code]).toEqual([413, 413]);

    const xmlBody = '<?xml version="1.0"?><request><api_key>x</api_key></request>';
    for (const type of ['application/xml', 'text/xml', 'multipart/form-data; boundary=x']) {
      const res = await raw('/open311/v2/requests.json', xmlBody, type);
      expect([type, res.statusCode, res.json()]).toEqual([
        type,
        415,
        [{ code: 415, description: expect.any(String) }],
      ]);
    }
    const res = await raw('/open311/v2/requests.xml', xmlBody, 'text/xml');
    expect([res.statusCode, res.body]).toEqual([415, expect.stringMatching(xmlError(415))]);
  });

  it('refuses NUL and lone surrogates as 400 in Open311’s format, in a body, a token path or a query', async () => {
    const nul = await raw(
      '/open311/v2/requests.json',
      JSON.stringify({ ...base, ...where(), description: 'a\u0000b' }),
      'application/json',
    );
    expect([nul.statusCode, nul.json()[0].code]).toEqual([400, 400]);
    const surrogate = await raw(
      '/open311/v2/requests.json',
      `{"api_key":"${KEY}","service_code":"general","lat":"29.55","long":"106.57","description":"a\\ud800b"}`,
      'application/json',
    );
    expect([surrogate.statusCode, surrogate.json()[0].code]).toEqual([400, 400]);
    expect((await get('/open311/v2/tokens/abc%00def.json')).body[0].code).toBe(400);
    const xml = await get('/open311/v2/requests/x%00y.xml');
    expect([xml.status, xml.body]).toEqual([400, expect.stringMatching(xmlError(400))]);
  });

  it('answers 403 for a missing, empty or invalid api_key and 404 for an unknown service_code', async () => {
    const { api_key: _, ...noKey } = base;
    for (const fields of [noKey, { ...base, api_key: '' }, { ...base, api_key: 'wrong-key-wrong-key-1' }]) {
      const res = await post({ ...fields, ...where() });
      expect([res.status, res.body]).toEqual([403, [{ code: 403, description: expect.any(String) }]]);
    }
    const unknown = await post({ ...base, ...where(), service_code: 'no_such_service' }, 'xml');
    expect([unknown.status, unknown.body]).toEqual([404, expect.stringMatching(xmlError(404))]);
    expect(unknown.body).toContain('no_such_service');
  });

  it('geocodes address_string alone from the city’s names: streets, short names, landmarks', async () => {
    const { events } = app.services.centre;
    const file = async (address_string: string) => {
      const res = await post({ ...base, address_string, description: `${address_string}路灯不亮了` });
      expect([address_string, res.status]).toEqual([address_string, 201]);
      const id = res.body[0].service_request_id as string;
      return { id, event: await events.get(SYSTEM_PRINCIPAL, id) };
    };
    // Full names, district + street: the street wins.
    const street = await file('重庆市渝中区解放碑街道民族路188号');
    expect(street.event.jurisdictionCode).toBe('500103003');
    const short = await file('上清寺中山四路');
    expect(short.event.jurisdictionCode).toBe('500103005');
    // A landmark (a crowd site) is placed at its own location, inside its street.
    const landmark = await file('渝中区较场口夜市');
    expect(landmark.event.location).toEqual({
      lon: expect.closeTo(106.57, 1),
      lat: expect.closeTo(29.55, 1),
    });
    expect(landmark.event.jurisdictionPath.startsWith('50/500103/')).toBe(true);
    // A street name two districts share is placed by the district named with it.
    const shared = await file('北碚区复兴街道');
    expect(shared.event.jurisdictionCode).toBe('500109009');
    // The address given is answered on GET.
    const got = await get(`/open311/v2/requests/${street.id}.json`);
    expect(got.body[0]).toMatchObject({
      address: '重庆市渝中区解放碑街道民族路188号',
      service_code: 'general',
    });

    const ambiguous = await post({ ...base, address_string: '复兴街道' });
    expect([ambiguous.status, ambiguous.body[0].description]).toEqual([
      400,
      expect.stringMatching(/复兴街道.*ambiguous.*北碚区.*城口县|复兴街道.*ambiguous.*城口县.*北碚区/),
    ]);
    const nowhere = await post({ ...base, address_string: '火星基地第三大道' });
    expect([nowhere.status, nowhere.body]).toEqual([
      400,
      [{ code: 400, description: expect.stringContaining('火星基地第三大道') }],
    ]);
    const long = await post({ ...base, address_string: `渝中区${'很'.repeat(400)}` });
    expect([long.status, long.body[0].description]).toEqual([400, expect.stringContaining('300')]);
    // The event centre's refusal names the GeoReport parameter.
    const far = await post({ ...base, lat: '999', long: '106.5' });
    expect([far.status, far.body[0].description]).toEqual([
      400,
      expect.stringMatching(/^invalid report: lat: /),
    ]);
    const none = await post(base);
    expect([none.status, none.body[0].description]).toEqual([400, expect.stringContaining('lat and long')]);
  });

  it('a realtime service answers service_request_id and no token; GET gives a readable address for coordinates', async () => {
    const services = (await get('/open311/v2/services.json')).body as { type: string }[];
    expect(new Set(services.map((s) => s.type))).toEqual(new Set(['realtime']));
    const filed = await post({ ...base, lat: '29.5573', long: '106.5771' });
    expect(filed.status).toBe(201);
    const [answer] = filed.body;
    expect(answer.service_request_id).toEqual(expect.any(String));
    expect(answer).not.toHaveProperty('token');
    // The reporter's own secret still resolves through tokens/{token}.
    expect((await get(`/open311/v2/tokens/${answer.reporter_token}.json`)).body).toEqual([
      { service_request_id: answer.service_request_id, token: answer.reporter_token },
    ]);
    const xml = await post({ ...base, lat: '29.5605', long: '106.5790' }, 'xml');
    expect(xml.body).toContain('<service_request_id>');
    expect(xml.body).not.toContain('<token>');
    const got = (await get(`/open311/v2/requests/${answer.service_request_id}.json`)).body[0];
    expect(got.address).toBe('重庆市渝中区解放碑街道');
    // The number people read: given on filing, in every request, accepted in place of the id.
    expect(answer.tracking_number).toMatch(/^CQ-\d{8}-\d{6}$/);
    expect(got.tracking_number).toBe(answer.tracking_number);
    expect(xml.body).toMatch(/<tracking_number>CQ-\d{8}-\d{6}<\/tracking_number>/);
    const byNumber = (await get(`/open311/v2/requests/${answer.tracking_number}.json`)).body;
    expect(byNumber.map((r: { service_request_id: string }) => r.service_request_id)).toEqual([
      answer.service_request_id,
    ]);
    const listed = (await get(`/open311/v2/requests.json?service_request_id=${answer.tracking_number}`)).body;
    expect(listed.map((r: { tracking_number: string }) => r.tracking_number)).toEqual([
      answer.tracking_number,
    ]);
  });

  it('gives status_notes in the requester’s language: Accept-Language, else zh-CN; the event keeps the code', async () => {
    const filed = await post({ ...base, ...where() });
    const id = filed.body[0].service_request_id as string;
    const notes = async (lang?: string) => {
      const res = await app.http.inject({
        url: `/open311/v2/requests/${id}.json`,
        headers: lang ? { 'accept-language': lang } : {},
      });
      return res.json()[0].status_notes as string;
    };
    const event = await app.services.centre.events.get(SYSTEM_PRINCIPAL, id);
    expect(event.statusNoteCode).toMatch(/^(dispatched|waiting_for_team|triage)$/);
    const zh = await notes();
    expect(zh).toMatch(/^(已派遣至.+|已受理，正在安排处置力量|已受理，正在人工分拨)$/);
    expect(await notes('zh-CN,zh;q=0.9,en;q=0.8')).toBe(zh);
    expect(await notes('en-GB,en;q=0.9,zh-CN;q=0.5')).toMatch(
      /^(Dispatched to .+|Received; a team is being arranged|Received; being routed by a dispatcher)$/,
    );
    // A list answers in the same language.
    const listed = await app.http.inject({
      url: `/open311/v2/requests.json?service_request_id=${id}`,
      headers: { 'accept-language': 'en' },
    });
    expect(listed.json()[0].status_notes).toMatch(/^(Dispatched|Received)/);
  });

  it('gives keywords as the same comma-separated string in JSON and XML', async () => {
    const json = (await get('/open311/v2/services.json')).body as {
      service_code: string;
      keywords: string;
    }[];
    const xml = (await get('/open311/v2/services.xml')).body as string;
    for (const s of json) {
      expect(typeof s.keywords).toBe('string');
      expect(xml).toContain(`<keywords>${s.keywords.replace(/&/g, '&amp;')}</keywords>`);
    }
    expect(json.find((s) => s.service_code === 'general')?.keywords).toBe('投诉,complaint,12345');
  });

  it('lists every request with a service_code, including requests filed without one', async () => {
    // Filed through the citizen API: no service code; the classifier picks a category.
    const citizen = await app.http.inject({
      method: 'POST',
      url: '/api/v1/citizen/requests',
      payload: { description: '小区门口井盖丢失了', location: { lon: 106.512, lat: 29.535 } },
    });
    expect(citizen.statusCode).toBe(201);
    const id = citizen.json().event.id as string;
    const list = (await get('/open311/v2/requests.json')).body as { service_code: string }[];
    expect(list.length).toBeGreaterThan(0);
    const codes = new Set(
      ((await get('/open311/v2/services.json')).body as { service_code: string }[]).map(
        (s) => s.service_code,
      ),
    );
    for (const r of list) expect(codes.has(r.service_code)).toBe(true);
    const one = (await get(`/open311/v2/requests.json?service_request_id=${id}`)).body[0];
    expect(codes.has(one.service_code)).toBe(true);
    // The filter matches the code shown.
    const filtered = (await get(`/open311/v2/requests.json?service_code=${one.service_code}`)).body as {
      service_request_id: string;
    }[];
    expect(filtered.map((r) => r.service_request_id)).toContain(id);
  });
});

describe('Gazetteer', () => {
  const places: Place[] = [
    { name: '重庆市', level: 'city', lon: 106.5, lat: 29.5, path: '50' },
    { name: '渝中区', level: 'district', lon: 106.56, lat: 29.55, path: '50/500103' },
    { name: '江北区', level: 'district', lon: 106.57, lat: 29.6, path: '50/500105' },
    { name: '石柱土家族自治县', level: 'district', lon: 108.1, lat: 30.0, path: '50/500240' },
    {
      name: '解放碑街道',
      level: 'street',
      lon: 106.577,
      lat: 29.557,
      path: '50/500103/500103003',
      hint: '渝中区',
    },
    {
      name: '观音桥街道',
      level: 'street',
      lon: 106.53,
      lat: 29.58,
      path: '50/500105/500105001',
      hint: '江北区',
    },
    {
      name: '观音桥街道',
      level: 'street',
      lon: 106.9,
      lat: 29.9,
      path: '50/500240/500240009',
      hint: '石柱土家族自治县',
    },
    { name: '解放碑广场', level: 'landmark', lon: 106.5771, lat: 29.5573 },
    { name: '中山镇', level: 'street', lon: 106.3, lat: 28.9, path: '50/500116/500116100', hint: '江津区' },
  ];
  const g = new Gazetteer(places);
  const at = (address: string) => g.locate(address).place.name;

  it('takes the longest name, the most specific level, and names without their suffix', () => {
    expect(at('渝中区解放碑广场东侧')).toBe('解放碑广场');
    expect(at('渝中解放碑')).toBe('解放碑街道');
    expect(at('重庆市 渝中区')).toBe('渝中区');
    expect(at('石柱县城')).toBe('石柱土家族自治县');
    // Two street-level names and nothing else to tell them apart: the first (the area before the road).
    expect(at('解放碑中山四路')).toBe('解放碑街道');
    expect(at('渝中区中山镇')).toBe('中山镇');
    expect(g.locate('江北区观音桥步行街').place.path).toBe('50/500105/500105001');
    expect(g.locate('石柱观音桥').place.path).toBe('50/500240/500240009');
  });

  it('refuses an address it cannot place, only the city, or an ambiguous name', () => {
    expect(() => g.locate('某某路')).toThrow(/某某路/);
    expect(() => g.locate('重庆市')).toThrow(/only the city/);
    expect(() => g.locate('观音桥')).toThrow(
      /ambiguous: 观音桥街道 \(江北区\), 观音桥街道 \(石柱土家族自治县\)/,
    );
  });
});
