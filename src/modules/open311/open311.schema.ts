import { z } from 'zod';

/** One Open311 error, as the spec writes it. */
export interface Open311Error {
  code: number;
  description: string;
}

/** Thrown by the Open311 layer with the spec's status and description. */
export class Open311Failure extends Error {
  readonly status: number;

  constructor(status: number, description: string) {
    super(description);
    this.status = status;
  }
}

/** The service file (`data/events/open311-services.v1.json`). */
export const ServiceFileSchema = z.object({
  format: z.literal('citybrain.open311-services/v1'),
  general: z.object({
    service_code: z.string(),
    service_name: z.string(),
    description: z.string(),
    keywords: z.array(z.string()),
  }),
  excluded: z.array(z.string()),
  attributes: z.record(
    z.string(),
    z.array(
      z.object({
        code: z.string(),
        datatype: z.enum(['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist']),
        required: z.boolean(),
        description: z.string(),
        values: z.array(z.object({ key: z.string(), name: z.string() })).optional(),
      }),
    ),
  ),
});
/** The service file. */
export type ServiceFile = z.infer<typeof ServiceFileSchema>;

/** GeoReport's `services` item. */
export interface ServiceDto {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime' | 'batch' | 'blackbox';
  /** Comma-separated, the same string in JSON as in XML. */
  keywords: string;
  group: string;
}

/** GeoReport's service request. */
export interface RequestDto {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string | null;
  /** Always a service of the list (`general` for requests without one). */
  service_code: string;
  description: string;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number;
  long: number;
  media_url: string | null;
  /** Extension: the number people read and type (CQ-20261207-000123), accepted in place of the id. */
  tracking_number: string;
}

const optionalNumber = z.preprocess(
  (v) => (v === '' || v === undefined ? undefined : v),
  z.coerce.number().optional(),
);
const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

/** POST requests: form or JSON fields, all strings on the wire. `attribute[code]` keys pass through. */
export const PostRequestSchema = z.looseObject({
  api_key: optionalText,
  service_code: optionalText,
  lat: optionalNumber,
  long: optionalNumber,
  address_string: optionalText,
  address_id: optionalText,
  email: optionalText,
  device_id: optionalText,
  account_id: optionalText,
  first_name: optionalText,
  last_name: optionalText,
  phone: optionalText,
  description: optionalText,
  media_url: z
    .union([optionalText, z.array(z.string())])
    .describe(
      'a URL of a photo; a photo uploaded with POST /api/v1/citizen/photos is attached to the request. Repeat the field for several (an extension of the spec)',
    ),
});

/** GET requests filters. */
export const GetRequestsSchema = z.object({
  service_request_id: optionalText,
  service_code: optionalText,
  start_date: optionalText,
  end_date: optionalText,
  status: optionalText,
  jurisdiction_id: optionalText,
});
