/**
 * A complete return-to-work interview as its page posts it (every yes/no answered, no duties
 * strategy), for tests that need one held so that the pages showing it exist.
 */
export function heldInterviewForm(interviewDate: string): Record<string, string> {
  return {
    interviewDate,
    recurrenceLikelihood: 'possible',
    strategy: 'none',
    fitForFullDuties: 'yes',
    attendanceExpectationsDiscussed: 'yes',
    certificationComplete: 'yes',
    disabilityRelated: 'no',
    pregnancyRelated: 'no',
    notifiedFirstDayOfSickness: 'yes',
    notifiedFirstDayOfFitness: 'yes',
    flexibleWorkingDiscussed: 'yes',
  };
}
