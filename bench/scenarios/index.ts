import * as registered from './list';
import type { Scenario } from './types';

export type { Metric, Scenario, ScenarioContext, ScenarioOutcome } from './types';

export const scenarios: Scenario[] = Object.values(registered as Record<string, Scenario>).sort(
  (a, b) => a.order - b.order,
);
