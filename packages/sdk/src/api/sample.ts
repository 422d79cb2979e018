import { LatchkeyConfigError } from '../errors.js';
import type { QueryValue, Requester } from './types.js';

// Thin wrappers over the sample protected API ("My Services" scope `myservices`, "Metering" scope
// `metering`), served by a separate process at `apiUrl` (default http://127.0.0.1:8081). The answers'
// shapes belong to that API: the types below name only what every answer has and let you narrow.

/** A JSON object of the sample API; pass your own type as the generic parameter to narrow it. */
export type JsonObject = Record<string, unknown>;

export class SampleApi {
  constructor(
    private readonly api: Requester,
    private readonly apiUrl: string,
    private readonly tenant: string | undefined,
  ) {}

  /** `{apiUrl}/t/{tenant}/{path}` */
  url(path: string): string {
    if (this.tenant === undefined) {
      throw new LatchkeyConfigError(
        "the sample API's paths name the tenant (/t/{tenant}/…), but a tenant's own URL does not say its name: " +
          "pass `tenant` with the server's URL, or call lk.request(`${lk.apiUrl}/t/<name>/…`)",
      );
    }
    return `${this.apiUrl}/t/${encodeURIComponent(this.tenant)}/${path.replace(/^\/+/, '')}`;
  }

  /** GET /t/{tenant}/myservices/api/v1/serviceEntitlements (scope `myservices`). */
  serviceEntitlements<T = JsonObject>(query?: Record<string, QueryValue>): Promise<T> {
    return this.api.request<T>(this.url('myservices/api/v1/serviceEntitlements'), { query });
  }

  /** GET /t/{tenant}/myservices/api/v1/instances (scope `myservices`). */
  instances<T = JsonObject>(query?: Record<string, QueryValue>): Promise<T> {
    return this.api.request<T>(this.url('myservices/api/v1/instances'), { query });
  }

  /** GET /t/{tenant}/metering/api/v1/usage (scope `metering`). */
  usage<T = JsonObject>(query?: Record<string, QueryValue>): Promise<T> {
    return this.api.request<T>(this.url('metering/api/v1/usage'), { query });
  }
}
