package insights

import (
	"context"
	"fmt"
)

// Verify recomputes every stored day of the last two years from its facts
// and lists the days whose stored figures differ (visits' figures aside:
// they are final once a day is over). Differences are expected for a
// while after a change to old facts, until the pass revisits the day, so
// `townhall check` reports them without failing; Rebuild brings them up
// to date at once. It reads every fact of two years: for the command
// line, not for a page.
func (s *Service) Verify(ctx context.Context) (checked int, stale []string, err error) {
	today := s.clock.day(s.now())
	for from := addDays(today, -(history - 1)); from <= today; from = addDays(from, chunkDays) {
		to := min(addDays(from, chunkDays-1), today)
		stored, err := s.rows(ctx, from, to)
		if err != nil {
			return checked, stale, err
		}
		if len(stored) == 0 {
			continue
		}
		fresh, _, err := s.computeFacts(ctx, from, to, s.now())
		if err != nil {
			return checked, stale, err
		}
		for d := from; d <= to; d = addDays(d, 1) {
			if r := stored[d]; r != nil {
				checked++
				if !sameFacts(r, fresh[d]) {
					stale = append(stale, d)
				}
			}
		}
	}
	return checked, stale, nil
}

// Rebuild recomputes every day of the last two years now, as a pass would
// over time; `townhall check --repair` runs it.
func (s *Service) Rebuild(ctx context.Context) error {
	today := s.clock.day(s.now())
	for from := addDays(today, -(history - 1)); from <= today; from = addDays(from, chunkDays) {
		if _, err := s.computeDays(ctx, from, min(addDays(from, chunkDays-1), today), today); err != nil {
			return fmt.Errorf("insights from %s: %w", from, err)
		}
	}
	st, err := s.loadState(ctx)
	if err != nil {
		return err
	}
	if st.Zone != s.clock.loc.String() {
		st = &state{Zone: s.clock.loc.String()}
	}
	st.Through = max(st.Through, today)
	if err := s.derive(ctx, st, today); err != nil {
		return err
	}
	st.Updated = s.now()
	s.forget()
	return s.saveState(ctx, st)
}
