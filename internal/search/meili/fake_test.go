package meili

// This file is a fake Meilisearch server for the contract tests.
//
// It exists because no Meilisearch server can run on our development
// machines or in CI (no binaries can be fetched there). It is written from
// Meilisearch's documented HTTP API (v1.x): the same paths, methods and JSON
// shapes, the same asynchronous task model (writes answer 202 with a task,
// GET /tasks/{uid} reports enqueued/processing/succeeded/failed), and the
// same validation of search parameters. Most importantly it refuses, with
// Meilisearch's error codes, a filter, sort or facet on an attribute that
// the settings we sent did not declare filterable or sortable: it parses the
// filter expression to find the attribute names. So a query that a real
// server would reject fails here too.
//
// What it does not imitate: relevance. Text matching is exact on folded
// words (no typos, no prefix search, no proximity), ranking is the share of
// query words matched. Conformance checks that depend on real ranking are
// skipped against the fake and run against a real server when
// CIVICDESK_TEST_MEILI_URL is set.

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/civicdesk/civicdesk/internal/vnfold"
)

type fakeMeili struct {
	t   *testing.T
	key string
	srv *httptest.Server

	mu       sync.Mutex
	indexes  map[string]*fakeIndex
	tasks    map[int64]*fakeTask
	nextTask int64
	log      []string         // "METHOD /path" of every request, in order
	bodies   []map[string]any // decoded bodies of search requests, in order
	settings []map[string]any // decoded bodies of settings updates, in order
}

type fakeIndex struct {
	primaryKey string
	settings   map[string]any
	docs       map[string]map[string]any
}

type fakeTask struct {
	UID      int64     `json:"uid"`
	IndexUID string    `json:"indexUid"`
	Status   string    `json:"status"`
	Type     string    `json:"type"`
	Error    *apiError `json:"error"`
	Enqueued time.Time `json:"enqueuedAt"`
	polls    int
}

type apiError struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Type    string `json:"type"`
	Link    string `json:"link"`
}

func newFake(t *testing.T, key string) *fakeMeili {
	f := &fakeMeili{t: t, key: key, indexes: map[string]*fakeIndex{}, tasks: map[int64]*fakeTask{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]string{"status": "available"})
	})
	mux.HandleFunc("GET /indexes/{uid}", f.getIndex)
	mux.HandleFunc("POST /indexes", f.createIndex)
	mux.HandleFunc("DELETE /indexes/{uid}", f.deleteIndex)
	mux.HandleFunc("PATCH /indexes/{uid}/settings", f.updateSettings)
	mux.HandleFunc("POST /indexes/{uid}/documents", f.addDocuments)
	mux.HandleFunc("POST /indexes/{uid}/documents/delete-batch", f.deleteDocuments)
	mux.HandleFunc("POST /indexes/{uid}/search", f.search)
	mux.HandleFunc("GET /indexes/{uid}/stats", f.stats)
	mux.HandleFunc("POST /swap-indexes", f.swap)
	mux.HandleFunc("GET /tasks/{uid}", f.getTask)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("fake meilisearch: unexpected request %s %s", r.Method, r.URL.Path)
		fail(w, 404, "not_found", "invalid_request", "not found")
	})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.log = append(f.log, r.Method+" "+r.URL.Path)
		f.mu.Unlock()
		if f.key != "" && r.Header.Get("Authorization") != "Bearer "+f.key {
			fail(w, 401, "missing_authorization_header", "auth", "The Authorization header is missing.")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodDelete && r.Header.Get("Content-Type") != "application/json" {
			fail(w, 415, "invalid_content_type", "invalid_request", "The Content-Type header must be application/json.")
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// requests returns the request log and clears it.
func (f *fakeMeili) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.log
	f.log = nil
	return out
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, code, typ, msg string) {
	reply(w, status, apiError{Message: msg, Code: code, Type: typ, Link: "https://docs.meilisearch.com/errors#" + code})
}

// enqueue records a task whose outcome is already known (the fake applies
// writes at once) and answers 202 with its summary, as Meilisearch does.
// The first poll still reports "processing", so waiting is exercised.
func (f *fakeMeili) enqueue(w http.ResponseWriter, index, typ string, err *apiError) {
	task := &fakeTask{UID: f.nextTask, IndexUID: index, Type: typ, Status: "succeeded", Error: err, Enqueued: time.Now().UTC()}
	if err != nil {
		task.Status = "failed"
	}
	f.tasks[task.UID] = task
	f.nextTask++
	reply(w, 202, map[string]any{"taskUid": task.UID, "indexUid": index, "status": "enqueued", "type": typ, "enqueuedAt": task.Enqueued})
}

func (f *fakeMeili) getTask(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	uid, _ := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	task, ok := f.tasks[uid]
	if !ok {
		fail(w, 404, "task_not_found", "invalid_request", "Task not found.")
		return
	}
	task.polls++
	out := *task
	if task.polls == 1 {
		out.Status, out.Error = "processing", nil
	}
	reply(w, 200, out)
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		fail(w, 400, "bad_request", "invalid_request", "malformed JSON: "+err.Error())
		return false
	}
	return true
}

func indexNotFound(uid string) *apiError {
	return &apiError{Message: fmt.Sprintf("Index `%s` not found.", uid), Code: "index_not_found", Type: "invalid_request"}
}

func (f *fakeMeili) getIndex(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	uid := r.PathValue("uid")
	ix, ok := f.indexes[uid]
	if !ok {
		e := indexNotFound(uid)
		fail(w, 404, e.Code, e.Type, e.Message)
		return
	}
	now := time.Now().UTC()
	reply(w, 200, map[string]any{"uid": uid, "primaryKey": ix.primaryKey, "createdAt": now, "updatedAt": now})
}

func (f *fakeMeili) createIndex(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if !decode(w, r, &body) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range body {
		if k != "uid" && k != "primaryKey" {
			fail(w, 400, "bad_request", "invalid_request", "Unknown field `"+k+"`")
			return
		}
	}
	uid, _ := body["uid"].(string)
	pk, _ := body["primaryKey"].(string)
	if _, exists := f.indexes[uid]; exists {
		f.enqueue(w, uid, "indexCreation", &apiError{Message: "Index already exists.", Code: "index_already_exists", Type: "invalid_request"})
		return
	}
	f.indexes[uid] = &fakeIndex{primaryKey: pk, settings: map[string]any{}, docs: map[string]map[string]any{}}
	f.enqueue(w, uid, "indexCreation", nil)
}

func (f *fakeMeili) deleteIndex(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	uid := r.PathValue("uid")
	if _, ok := f.indexes[uid]; !ok {
		f.enqueue(w, uid, "indexDeletion", indexNotFound(uid))
		return
	}
	delete(f.indexes, uid)
	f.enqueue(w, uid, "indexDeletion", nil)
}

// settingKeys are the documented top-level keys of /settings.
var settingKeys = []string{
	"displayedAttributes", "searchableAttributes", "filterableAttributes", "sortableAttributes",
	"rankingRules", "stopWords", "nonSeparatorTokens", "separatorTokens", "dictionary", "synonyms",
	"distinctAttribute", "proximityPrecision", "typoTolerance", "faceting", "pagination",
	"embedders", "searchCutoffMs", "localizedAttributes", "facetSearch", "prefixSearch",
}

var builtinRules = []string{"words", "typo", "proximity", "attribute", "sort", "exactness"}

func (f *fakeMeili) updateSettings(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if !decode(w, r, &body) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.settings = append(f.settings, body)
	for k := range body {
		if !slices.Contains(settingKeys, k) {
			fail(w, 400, "bad_request", "invalid_request", "Unknown field `"+k+"`")
			return
		}
	}
	for _, rule := range strList(body["rankingRules"]) {
		if !slices.Contains(builtinRules, rule) && !strings.HasSuffix(rule, ":asc") && !strings.HasSuffix(rule, ":desc") {
			fail(w, 400, "invalid_settings_ranking_rules", "invalid_request", "invalid ranking rule "+rule)
			return
		}
	}
	uid := r.PathValue("uid")
	ix, ok := f.indexes[uid]
	if !ok { // Meilisearch creates the index on a settings update
		ix = &fakeIndex{settings: map[string]any{}, docs: map[string]map[string]any{}}
		f.indexes[uid] = ix
	}
	for k, v := range body {
		ix.settings[k] = v
	}
	f.enqueue(w, uid, "settingsUpdate", nil)
}

func strList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func (f *fakeMeili) addDocuments(w http.ResponseWriter, r *http.Request) {
	var docs []map[string]any
	if !decode(w, r, &docs) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	uid := r.PathValue("uid")
	ix, ok := f.indexes[uid]
	if !ok {
		ix = &fakeIndex{settings: map[string]any{}, docs: map[string]map[string]any{}}
		f.indexes[uid] = ix
	}
	if pk := r.URL.Query().Get("primaryKey"); pk != "" {
		if ix.primaryKey != "" && ix.primaryKey != pk {
			f.enqueue(w, uid, "documentAdditionOrUpdate", &apiError{Message: "primary key mismatch", Code: "index_primary_key_already_exists", Type: "invalid_request"})
			return
		}
		ix.primaryKey = pk
	}
	for _, d := range docs {
		id, ok := d[ix.primaryKey].(string)
		if !ok || !validID.MatchString(id) {
			f.enqueue(w, uid, "documentAdditionOrUpdate", &apiError{Message: "invalid document id", Code: "invalid_document_id", Type: "invalid_request"})
			return
		}
	}
	for _, d := range docs {
		ix.docs[d[ix.primaryKey].(string)] = d // POST replaces the whole document
	}
	f.enqueue(w, uid, "documentAdditionOrUpdate", nil)
}

func (f *fakeMeili) deleteDocuments(w http.ResponseWriter, r *http.Request) {
	var ids []string
	if !decode(w, r, &ids) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	uid := r.PathValue("uid")
	ix, ok := f.indexes[uid]
	if !ok {
		f.enqueue(w, uid, "documentDeletion", indexNotFound(uid))
		return
	}
	for _, id := range ids {
		delete(ix.docs, id)
	}
	f.enqueue(w, uid, "documentDeletion", nil)
}

func (f *fakeMeili) stats(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	uid := r.PathValue("uid")
	ix, ok := f.indexes[uid]
	if !ok {
		e := indexNotFound(uid)
		fail(w, 404, e.Code, e.Type, e.Message)
		return
	}
	reply(w, 200, map[string]any{"numberOfDocuments": len(ix.docs), "isIndexing": false, "fieldDistribution": map[string]int{}})
}

func (f *fakeMeili) swap(w http.ResponseWriter, r *http.Request) {
	var body []map[string]any
	if !decode(w, r, &body) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range body {
		for k := range s {
			if k != "indexes" && k != "rename" {
				fail(w, 400, "bad_request", "invalid_request", "Unknown field `"+k+"`")
				return
			}
		}
		pair := strList(s["indexes"])
		if len(pair) != 2 {
			fail(w, 400, "invalid_swap_indexes", "invalid_request", "two indexes per swap")
			return
		}
		a, b := f.indexes[pair[0]], f.indexes[pair[1]]
		if a == nil || b == nil {
			f.enqueue(w, "", "indexSwap", indexNotFound(pair[0]+" or "+pair[1]))
			return
		}
		f.indexes[pair[0]], f.indexes[pair[1]] = b, a
	}
	f.enqueue(w, "", "indexSwap", nil)
}

// searchKeys are the documented search parameters the fake understands.
var searchKeys = []string{
	"q", "offset", "limit", "page", "hitsPerPage", "filter", "sort", "facets",
	"attributesToRetrieve", "attributesToSearchOn", "attributesToHighlight", "attributesToCrop",
	"matchingStrategy", "showRankingScore", "rankingScoreThreshold", "hybrid", "locales",
}

func (f *fakeMeili) search(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if !decode(w, r, &body) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies = append(f.bodies, body)
	for k, v := range body {
		if !slices.Contains(searchKeys, k) {
			fail(w, 400, "bad_request", "invalid_request", "Unknown field `"+k+"`")
			return
		}
		if k == "hybrid" && v != nil {
			fail(w, 400, "invalid_search_hybrid_query", "invalid_request", "no embedder configured")
			return
		}
	}
	ix, ok := f.indexes[r.PathValue("uid")]
	if !ok {
		e := indexNotFound(r.PathValue("uid"))
		fail(w, 404, e.Code, e.Type, e.Message)
		return
	}
	filterable := strList(ix.settings["filterableAttributes"])
	sortable := strList(ix.settings["sortableAttributes"])
	searchable := strList(ix.settings["searchableAttributes"])

	var filter node = matchAll{}
	if raw, ok := body["filter"]; ok {
		expr, ok := raw.(string)
		if !ok {
			fail(w, 400, "invalid_search_filter", "invalid_request", "the fake only takes string filters")
			return
		}
		n, attrs, err := parseFilter(expr)
		if err != nil {
			fail(w, 400, "invalid_search_filter", "invalid_request", err.Error())
			return
		}
		for _, a := range attrs {
			if !slices.Contains(filterable, a) {
				fail(w, 400, "invalid_search_filter", "invalid_request",
					fmt.Sprintf("Attribute `%s` is not filterable. Available filterable attributes are: `%s`.", a, strings.Join(filterable, ", ")))
				return
			}
		}
		filter = n
	}
	type sortKey struct {
		attr string
		desc bool
	}
	var sorts []sortKey
	for _, s := range strList(body["sort"]) {
		attr, dir, ok := strings.Cut(s, ":")
		if !ok || (dir != "asc" && dir != "desc") {
			fail(w, 400, "invalid_search_sort", "invalid_request", "bad sort "+s)
			return
		}
		if !slices.Contains(sortable, attr) {
			fail(w, 400, "invalid_search_sort", "invalid_request",
				fmt.Sprintf("Attribute `%s` is not sortable. Available sortable attributes are: `%s`.", attr, strings.Join(sortable, ", ")))
			return
		}
		sorts = append(sorts, sortKey{attr, dir == "desc"})
	}
	if len(sorts) > 0 && !slices.Contains(strList(ix.settings["rankingRules"]), "sort") {
		fail(w, 400, "invalid_search_sort", "invalid_request", "the sort ranking rule is missing")
		return
	}
	facets := strList(body["facets"])
	for _, a := range facets {
		if !slices.Contains(filterable, a) {
			fail(w, 400, "invalid_search_facets", "invalid_request", fmt.Sprintf("Attribute `%s` is not filterable.", a))
			return
		}
	}
	on := strList(body["attributesToSearchOn"])
	if on == nil || len(on) == 0 {
		on = searchable
	}
	for _, a := range on {
		if !slices.Contains(searchable, a) {
			fail(w, 400, "invalid_search_attributes_to_search_on", "invalid_request", fmt.Sprintf("Attribute `%s` is not searchable.", a))
			return
		}
	}
	strategy, _ := body["matchingStrategy"].(string)
	if strategy == "" {
		strategy = "last"
	}
	if !slices.Contains([]string{"last", "all", "frequency"}, strategy) {
		fail(w, 400, "invalid_search_matching_strategy", "invalid_request", "bad matchingStrategy")
		return
	}
	threshold := 0.0
	if n, ok := body["rankingScoreThreshold"].(json.Number); ok {
		threshold, _ = n.Float64()
	}

	q, _ := body["q"].(string)
	words := strings.Fields(vnfold.Fold(q))
	type scored struct {
		doc   map[string]any
		score float64
	}
	var hits []scored
	for _, d := range ix.docs {
		if !filter.eval(d) {
			continue
		}
		score := 1.0
		if len(words) > 0 {
			docWords := map[string]bool{}
			for _, a := range on {
				for _, s := range values(d[a]) {
					for _, w := range strings.FieldsFunc(vnfold.Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
						docWords[w] = true
					}
				}
			}
			n := 0
			for _, w := range words {
				if docWords[w] {
					n++
				}
			}
			if n == 0 || (strategy == "all" && n < len(words)) {
				continue
			}
			score = float64(n) / float64(len(words))
		}
		if score < threshold {
			continue
		}
		hits = append(hits, scored{d, score})
	}
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		for _, s := range sorts {
			va, oka := a.doc[s.attr]
			vb, okb := b.doc[s.attr]
			if oka != okb {
				return oka // documents without the field come last
			}
			if c := compare(va, vb); c != 0 {
				return (c < 0) != s.desc
			}
		}
		if a.score != b.score {
			return a.score > b.score
		}
		return fmt.Sprint(a.doc[ix.primaryKey]) < fmt.Sprint(b.doc[ix.primaryKey])
	})

	resp := map[string]any{"query": q, "processingTimeMs": 0}
	if len(facets) > 0 {
		dist := map[string]map[string]int{}
		for _, a := range facets {
			dist[a] = map[string]int{}
			for _, h := range hits {
				for _, v := range values(h.doc[a]) {
					dist[a][v]++
				}
			}
		}
		resp["facetDistribution"] = dist
	}
	var from, to int
	if _, paged := body["page"]; paged || body["hitsPerPage"] != nil {
		page, perPage := intParam(body["page"], 1), intParam(body["hitsPerPage"], 20)
		from, to = (page-1)*perPage, page*perPage
		resp["page"], resp["hitsPerPage"], resp["totalHits"] = page, perPage, len(hits)
		resp["totalPages"] = int(math.Ceil(float64(len(hits)) / float64(max(perPage, 1))))
	} else {
		offset, limit := intParam(body["offset"], 0), intParam(body["limit"], 20)
		from, to = offset, offset+limit
		resp["offset"], resp["limit"], resp["estimatedTotalHits"] = offset, limit, len(hits)
	}
	from, to = min(from, len(hits)), min(to, len(hits))
	retrieve := strList(body["attributesToRetrieve"])
	displayed := strList(ix.settings["displayedAttributes"])
	out := []map[string]any{}
	for _, h := range hits[from:to] {
		hit := map[string]any{}
		for k, v := range h.doc {
			if (len(retrieve) == 0 || slices.Contains(retrieve, k)) && (len(displayed) == 0 || slices.Contains(displayed, k)) {
				hit[k] = v
			}
		}
		if body["showRankingScore"] == true {
			hit["_rankingScore"] = h.score
		}
		out = append(out, hit)
	}
	resp["hits"] = out
	reply(w, 200, resp)
}

func intParam(v any, def int) int {
	if n, ok := v.(json.Number); ok {
		i, _ := n.Int64()
		return int(i)
	}
	return def
}

// values renders a document value as the strings filters and facets see:
// arrays give each element, booleans "true"/"false", numbers their digits.
func values(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, values(e)...)
		}
		return out
	case string:
		return []string{v}
	case bool:
		return []string{strconv.FormatBool(v)}
	case json.Number:
		return []string{v.String()}
	}
	return []string{fmt.Sprint(v)}
}

func compare(a, b any) int {
	na, oka := a.(json.Number)
	nb, okb := b.(json.Number)
	if oka && okb {
		fa, _ := na.Float64()
		fb, _ := nb.Float64()
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

// ---- filter expressions ----------------------------------------------------
//
// The subset of Meilisearch's filter grammar that a client might send:
//   expr    = or
//   or      = and { "OR" and }
//   and     = not { "AND" not }
//   not     = "NOT" not | primary
//   primary = "(" expr ")" | attr ("=" | "!=" | ">" | ">=" | "<" | "<=") value
//           | attr ["NOT"] "IN" "[" value { "," value } "]" | attr ["NOT"] "EXISTS"
//   value   = "quoted \"string\"" | 'quoted' | bare-word

type node interface{ eval(doc map[string]any) bool }

type matchAll struct{}

func (matchAll) eval(map[string]any) bool { return true }

type notNode struct{ n node }

func (n notNode) eval(d map[string]any) bool { return !n.n.eval(d) }

type andNode struct{ l, r node }

func (n andNode) eval(d map[string]any) bool { return n.l.eval(d) && n.r.eval(d) }

type orNode struct{ l, r node }

func (n orNode) eval(d map[string]any) bool { return n.l.eval(d) || n.r.eval(d) }

type condNode struct {
	attr, op string
	vals     []string
}

func (c condNode) eval(d map[string]any) bool {
	v, present := d[c.attr]
	have := values(v)
	switch c.op {
	case "EXISTS":
		return present
	case "=", "IN":
		for _, h := range have {
			if slices.Contains(c.vals, h) {
				return true
			}
		}
		return false
	case "!=":
		return !slices.Contains(have, c.vals[0])
	}
	want, err := strconv.ParseFloat(c.vals[0], 64)
	if err != nil {
		return false
	}
	for _, h := range have {
		got, err := strconv.ParseFloat(h, 64)
		if err != nil {
			continue
		}
		switch {
		case c.op == ">" && got > want, c.op == ">=" && got >= want,
			c.op == "<" && got < want, c.op == "<=" && got <= want:
			return true
		}
	}
	return false
}

type filterParser struct {
	toks  []token
	pos   int
	attrs []string
}

type token struct {
	text   string
	quoted bool
}

func tokenize(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '(' || c == ')' || c == '[' || c == ']' || c == ',':
			toks = append(toks, token{text: string(c)})
			i++
		case c == '"' || c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string at %d", i)
			}
			toks = append(toks, token{text: b.String(), quoted: true})
			i = j + 1
		case strings.ContainsRune("=!<>", rune(c)):
			j := i + 1
			if j < len(s) && s[j] == '=' {
				j++
			}
			toks = append(toks, token{text: s[i:j]})
			i = j
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n()[],=!<>\"'", rune(s[j])) {
				j++
			}
			toks = append(toks, token{text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

// parseFilter parses expr and returns it with the attribute names it uses.
func parseFilter(expr string) (node, []string, error) {
	toks, err := tokenize(expr)
	if err != nil {
		return nil, nil, err
	}
	p := &filterParser{toks: toks}
	n, err := p.or()
	if err != nil {
		return nil, nil, err
	}
	if p.pos != len(p.toks) {
		return nil, nil, fmt.Errorf("unexpected %q", p.toks[p.pos].text)
	}
	return n, p.attrs, nil
}

func (p *filterParser) peek(kw string) bool {
	return p.pos < len(p.toks) && !p.toks[p.pos].quoted && p.toks[p.pos].text == kw
}

func (p *filterParser) next() (token, error) {
	if p.pos >= len(p.toks) {
		return token{}, fmt.Errorf("unexpected end of filter")
	}
	t := p.toks[p.pos]
	p.pos++
	return t, nil
}

func (p *filterParser) or() (node, error) {
	l, err := p.and()
	for err == nil && p.peek("OR") {
		p.pos++
		var r node
		if r, err = p.and(); err == nil {
			l = orNode{l, r}
		}
	}
	return l, err
}

func (p *filterParser) and() (node, error) {
	l, err := p.not()
	for err == nil && p.peek("AND") {
		p.pos++
		var r node
		if r, err = p.not(); err == nil {
			l = andNode{l, r}
		}
	}
	return l, err
}

func (p *filterParser) not() (node, error) {
	if p.peek("NOT") {
		p.pos++
		n, err := p.not()
		return notNode{n}, err
	}
	return p.primary()
}

func (p *filterParser) primary() (node, error) {
	if p.peek("(") {
		p.pos++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.peek(")") {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		return n, nil
	}
	attr, err := p.next()
	if err != nil {
		return nil, err
	}
	if attr.quoted || attr.text == "" || strings.ContainsAny(attr.text, "()[],") {
		return nil, fmt.Errorf("expected an attribute, got %q", attr.text)
	}
	p.attrs = append(p.attrs, attr.text)
	negate := false
	if p.peek("NOT") {
		p.pos++
		negate = true
	}
	op, err := p.next()
	if err != nil {
		return nil, err
	}
	var n node
	switch op.text {
	case "EXISTS":
		n = condNode{attr: attr.text, op: "EXISTS"}
	case "IN":
		if !p.peek("[") {
			return nil, fmt.Errorf("IN needs [")
		}
		p.pos++
		var vals []string
		for {
			v, err := p.next()
			if err != nil {
				return nil, err
			}
			vals = append(vals, v.text)
			sep, err := p.next()
			if err != nil {
				return nil, err
			}
			if sep.text == "]" && !sep.quoted {
				break
			}
			if sep.text != "," || sep.quoted {
				return nil, fmt.Errorf("expected , or ] in IN list")
			}
		}
		n = condNode{attr: attr.text, op: "IN", vals: vals}
	case "=", "!=", ">", ">=", "<", "<=":
		if negate {
			return nil, fmt.Errorf("NOT before %s", op.text)
		}
		v, err := p.next()
		if err != nil {
			return nil, err
		}
		n = condNode{attr: attr.text, op: op.text, vals: []string{v.text}}
	default:
		return nil, fmt.Errorf("unknown operator %q", op.text)
	}
	if negate {
		n = notNode{n}
	}
	return n, nil
}
