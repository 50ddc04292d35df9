import type { AppDependencies } from '../app.js';
import type { RouteDefinition } from '../web/route-registry.js';
export function consentPages(_deps: AppDependencies): RouteDefinition[] { return []; }
