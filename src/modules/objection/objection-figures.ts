/** One purpose's objection figures (docs/objections.md, "Figures"). */
export interface ObjectionFigures {
  readonly purposeKey: string;
  readonly received: number;
  readonly open: number;
  readonly honoured: number;
  readonly refused: number;
  readonly directMarketing: number;
  /** Open cases opened more than the controller's `objectionDecisionDays` before `at`. */
  readonly overdue: number;
  /** Seconds from objecting to the decision, over decided cases; null when none is decided. */
  readonly decisionSecondsP50: number | null;
  readonly decisionSecondsP95: number | null;
  readonly decisionDays: number;
}
