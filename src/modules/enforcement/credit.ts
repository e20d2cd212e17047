// The credit loop: an inspection's findings move the credit score, the score sets the risk class,
// the class sets the share of enterprises drawn next year (annual-plans.v1.json).
import type { RiskClass } from './catalogue.ts';

/** The integrated-services bundle an enterprise applies to for credit repair (信用修复一件事). */
export const CREDIT_REPAIR_BUNDLE = 'credit-repair';

/** Score bands of the classes (score 0–100): A ≥ 90, B ≥ 75, C ≥ 60, D below. */
export function riskClassOf(score: number): RiskClass {
  if (score >= 90) return 'A';
  if (score >= 75) return 'B';
  if (score >= 60) return 'C';
  return 'D';
}

/** Points per finding: a failed checklist item costs 6, a clean inspection earns 2; the score stays in 0–100. */
export function creditAfter(score: number, findings: { result: 'pass' | 'fail' }[]): number {
  const failed = findings.filter((f) => f.result === 'fail').length;
  const delta = failed === 0 ? 2 : -6 * failed;
  return Math.max(0, Math.min(100, score + delta));
}

/** Expected inspections a year for an enterprise of this class under the plans' rates (one per department plan it falls in). */
export function drawsPerYear(
  rates: Record<RiskClass, number>,
  riskClass: RiskClass,
  plansApplying: number,
): number {
  return rates[riskClass] * plansApplying;
}
