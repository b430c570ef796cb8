package reports

import (
	"context"
	"sync"
	"time"

	"github.com/civicdesk/civicdesk/internal/store"
)

// AgencyFigures is one agency's line on the public page and in the
// periodic report. Only counts and durations: nothing that names or
// reaches a person, and no ticket text.
type AgencyFigures struct {
	Code            string  `json:"code"`
	Name            string  `json:"name"`
	Received        int     `json:"received"`
	Answered        int     `json:"answered"`
	AnsweredOnTime  int     `json:"answered_on_time"`
	AnswerOnTimePct float64 `json:"answered_on_time_pct"`
	// MedianAnswerDays is the median working days to answer; nil when
	// nothing was answered.
	MedianAnswerDays *int    `json:"median_days_to_answer"`
	RatingCount      int     `json:"rating_count"`
	RatingAvg        float64 `json:"rating_avg"`
}

// National is the summary of the whole portal over a period.
type National struct {
	Received        int           `json:"received"`
	ByChannel       []store.Count `json:"by_channel"`
	Answered        int           `json:"answered"`
	AnsweredOnTime  int           `json:"answered_on_time"`
	AnswerOnTimePct float64       `json:"answered_on_time_pct"`
	HotlineCalls    int           `json:"hotline_calls"`
	RatingCount     int           `json:"rating_count"`
	RatingAvg       float64       `json:"rating_avg"`
}

// Public is the transparency page and GET /api/v1/stats/public.
type Public struct {
	Period   Period          `json:"period"`
	National National        `json:"national"`
	Agencies []AgencyFigures `json:"agencies"`
	BuiltAt  time.Time       `json:"built_at,omitzero"`
}

// AgencyTable computes per-agency figures over p for agencies (nil: all),
// one line per agency of the catalog in its order, plus the national
// summary of the same documents. Tickets still in triage count in the
// summary only.
func (s *Service) AgencyTable(ctx context.Context, p Period, agencies []string) (*Public, error) {
	rs, err := s.rollups(ctx, store.RollupTickets, p.From, p.To, agencies)
	if err != nil {
		return nil, err
	}
	calls, err := s.rollups(ctx, store.RollupCalls, p.From, p.To, nil)
	if err != nil {
		return nil, err
	}
	type agg struct {
		f       AgencyFigures
		ans     map[int]int
		rsum    int
		ratings int
	}
	by := map[string]*agg{}
	out := &Public{Period: p}
	ch := map[string]int{}
	rsum := 0
	for _, r := range rs {
		if out.BuiltAt.IsZero() || r.BuiltAt.Before(out.BuiltAt) {
			out.BuiltAt = r.BuiltAt
		}
		a := by[r.Agency]
		if a == nil {
			a = &agg{ans: map[int]int{}}
			by[r.Agency] = a
		}
		a.f.Received += r.Received
		a.f.Answered += r.Answered
		a.f.AnsweredOnTime += r.AnsweredOnTime
		addBins(a.ans, r.AnswerWD)
		for i, n := range r.Ratings {
			a.ratings += n
			a.rsum += (i + 1) * n
		}
		out.National.Received += r.Received
		out.National.Answered += r.Answered
		out.National.AnsweredOnTime += r.AnsweredOnTime
		add(ch, r.ByChannel)
		for i, n := range r.Ratings {
			out.National.RatingCount += n
			rsum += (i + 1) * n
		}
	}
	out.National.ByChannel = ranked(ch)
	out.National.AnswerOnTimePct = pct(out.National.AnsweredOnTime, out.National.Answered)
	out.National.RatingAvg = round(float64(rsum)/float64(max(out.National.RatingCount, 1)), 2)
	out.National.HotlineCalls = hotline(calls).Calls
	for _, ag := range s.Catalog().Agencies {
		if agencies != nil && !contains(agencies, ag.Code) {
			continue
		}
		f := AgencyFigures{Code: ag.Code, Name: ag.Name}
		if a := by[ag.Code]; a != nil {
			f.Received, f.Answered, f.AnsweredOnTime = a.f.Received, a.f.Answered, a.f.AnsweredOnTime
			if d := durations(a.ans); d.N > 0 {
				m := d.Median
				f.MedianAnswerDays = &m
			}
			f.RatingCount = a.ratings
			f.RatingAvg = round(float64(a.rsum)/float64(max(a.ratings, 1)), 2)
		}
		f.AnswerOnTimePct = pct(f.AnsweredOnTime, f.Answered)
		out.Agencies = append(out.Agencies, f)
	}
	return out, nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// publicCache keeps the public figures for a minute per period: the page
// is public and rate-limited, and a minute matches the rollups' own lag.
type publicCache struct {
	mu sync.Mutex
	m  map[Period]cachedPublic
}

type cachedPublic struct {
	at time.Time
	p  *Public
}

// PublicTTL is how long public figures are served from memory.
const PublicTTL = time.Minute

// Public returns the public transparency figures over p, cached for a
// minute of real time.
func (s *Service) Public(ctx context.Context, p Period) (*Public, error) {
	pubCache := &s.cache
	pubCache.mu.Lock()
	c, ok := pubCache.m[p]
	pubCache.mu.Unlock()
	if ok && time.Since(c.at) < PublicTTL && c.p != nil {
		return c.p, nil
	}
	out, err := s.AgencyTable(ctx, p, nil)
	if err != nil {
		return nil, err
	}
	pubCache.mu.Lock()
	if pubCache.m == nil || len(pubCache.m) > 256 { // periods are user input: bound the cache
		pubCache.m = map[Period]cachedPublic{}
	}
	pubCache.m[p] = cachedPublic{at: time.Now(), p: out}
	pubCache.mu.Unlock()
	return out, nil
}
