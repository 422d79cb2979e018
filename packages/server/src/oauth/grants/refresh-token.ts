import { rotateRefreshToken } from '../../domain/tokens/rotate.js';
import { required } from '../params.js';
import type { Grant } from './types.js';

/** RFC 6749 §6 with rotation: see domain/tokens/rotate.ts. */
export const refreshToken: Grant = async ({ deps, tenant, auth, params, origin }) =>
  rotateRefreshToken(
    deps,
    tenant,
    auth.client,
    required(params, 'refresh_token'),
    params.scope,
    origin,
    auth.previousSecret === true,
  );
