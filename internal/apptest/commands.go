package apptest

import (
	"context"
	"runtime"
	"sort"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
)

// backgroundKey marks the context a test app runs under, which its
// periodic jobs (reconciler, SLA sweep, report roller, refreshes) inherit.
// HTTP handlers and queue tasks run under contexts of their own, so a
// command monitor can tell a request's or a task's round trips from the
// jobs' (see Background).
type backgroundKey struct{}

// Background reports whether ctx, as seen by a command monitor, belongs to
// the app's own periodic jobs rather than to an HTTP request or a task.
func Background(ctx context.Context) bool {
	v, _ := ctx.Value(backgroundKey{}).(bool)
	return v
}

// shapes records, for a whole test process, every distinct query shape the
// store sends (filled when CIVICDESK_TEST_MONGO_URI is set; see
// CheckIndexCoverage).
var shapes = &shapeRecorder{byKey: map[string]*Shape{}}

// Shape is one kind of query the store sends: its command, collection,
// the field names and operators of its filter, and its sort, with the
// first concrete command seen of that shape rewritten as one that explain
// accepts.
type Shape struct {
	Key        string // "find tickets filter{agency_path,status:{$in}} sort{due_at:1,_id:1}"
	Command    string // as sent: find, aggregate, count, distinct, update, delete, findAndModify
	Collection string
	EmptyQuery bool   // the filter selects the whole collection
	Sort       bson.D // the sort, for a whole-collection read in an order
	Explain    bson.D // a find, aggregate, count or distinct command with the same filter
	Seen       int
	Where      string // the civicdesk functions that sent it first
	// Fields are the document fields the filter constrains, $or and $and
	// branches included.
	Fields map[string]bool
}

type shapeRecorder struct {
	mu    sync.Mutex
	byKey map[string]*Shape
}

// monitor returns the recording command monitor.
func (r *shapeRecorder) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		for _, s := range shapesOf(e.CommandName, e.Command) {
			r.mu.Lock()
			if have := r.byKey[s.Key]; have != nil {
				have.Seen++
			} else {
				s.Seen = 1
				s.Where = caller()
				r.byKey[s.Key] = s
			}
			r.mu.Unlock()
		}
	}}
}

// caller names the innermost civicdesk functions on the stack outside this
// package, for the report.
func caller() string {
	pc := make([]uintptr, 64)
	n := runtime.Callers(3, pc)
	frames := runtime.CallersFrames(pc[:n])
	var names []string
	for len(names) < 3 {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, "github.com/civicdesk/civicdesk/") && !strings.Contains(f.Function, "/internal/apptest.") &&
			!strings.Contains(f.Function, "/internal/store.chainMonitor") {
			names = append(names, strings.TrimPrefix(f.Function, "github.com/civicdesk/civicdesk/"))
		}
		if !more {
			break
		}
	}
	return strings.Join(names, " ← ")
}

// all returns the recorded shapes, by key.
func (r *shapeRecorder) all() []*Shape {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Shape, 0, len(r.byKey))
	for _, s := range r.byKey {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// shapesOf turns one command into the query shapes it carries: none for
// writes that select nothing (insert) and for administrative commands;
// one per statement for update and delete, whose filters select documents
// exactly as a find would (explain takes neither of them on this server,
// so their filter is explained as a find).
func shapesOf(name string, cmd bson.Raw) []*Shape {
	coll, _ := cmd.Lookup(name).StringValueOK()
	if coll == "" {
		return nil
	}
	doc := func(key string) bson.Raw {
		d, _ := cmd.Lookup(key).DocumentOK()
		return d
	}
	switch name {
	case "find":
		ex := bson.D{{Key: "find", Value: coll}, {Key: "filter", Value: orEmpty(doc("filter"))}}
		for _, k := range []string{"sort", "projection", "skip", "limit"} {
			if v, err := cmd.LookupErr(k); err == nil {
				ex = append(ex, bson.E{Key: k, Value: v})
			}
		}
		return []*Shape{newShape(name, coll, doc("filter"), doc("sort"), ex)}
	case "count":
		ex := bson.D{{Key: "count", Value: coll}, {Key: "query", Value: orEmpty(doc("query"))}}
		return []*Shape{newShape(name, coll, doc("query"), nil, ex)}
	case "distinct":
		ex := bson.D{{Key: "distinct", Value: coll}, {Key: "key", Value: cmd.Lookup("key")}, {Key: "query", Value: orEmpty(doc("query"))}}
		return []*Shape{newShape(name, coll, doc("query"), nil, ex)}
	case "findAndModify":
		ex := bson.D{{Key: "find", Value: coll}, {Key: "filter", Value: orEmpty(doc("query"))}, {Key: "limit", Value: 1}}
		if s := doc("sort"); len(s) > 0 {
			ex = append(ex, bson.E{Key: "sort", Value: s})
		}
		return []*Shape{newShape(name, coll, doc("query"), doc("sort"), ex)}
	case "update", "delete":
		arr, ok := cmd.Lookup(name + "s").ArrayOK()
		if !ok {
			return nil // sent as a document sequence; the driver's monitor still shows it as an array
		}
		vals, _ := arr.Values()
		var out []*Shape
		for _, v := range vals {
			st, ok := v.DocumentOK()
			if !ok {
				continue
			}
			q, _ := st.Lookup("q").DocumentOK()
			ex := bson.D{{Key: "find", Value: coll}, {Key: "filter", Value: orEmpty(q)}}
			out = append(out, newShape(name, coll, q, nil, ex))
		}
		return out
	case "aggregate":
		arr, ok := cmd.Lookup("pipeline").ArrayOK()
		if !ok {
			return nil
		}
		vals, _ := arr.Values()
		var pipe bson.A
		var match, sortDoc bson.Raw
		var stages []string
		for i, v := range vals {
			st, ok := v.DocumentOK()
			if !ok {
				continue
			}
			els, _ := st.Elements()
			if len(els) == 0 {
				continue
			}
			op := els[0].Key()
			if op == "$out" || op == "$merge" {
				continue // explain reads, it does not write
			}
			pipe = append(pipe, st)
			if i == 0 && op == "$match" {
				match, _ = els[0].Value().DocumentOK()
				continue
			}
			if op == "$sort" && len(stages) == 0 {
				sortDoc, _ = els[0].Value().DocumentOK()
			}
			stages = append(stages, op)
		}
		ex := bson.D{{Key: "aggregate", Value: coll}, {Key: "pipeline", Value: pipe}, {Key: "cursor", Value: bson.D{}}}
		s := newShape(name, coll, match, sortDoc, ex)
		if len(stages) > 0 {
			s.Key += " then " + strings.Join(stages, ",")
		}
		return []*Shape{s}
	}
	return nil
}

func orEmpty(d bson.Raw) any {
	if d == nil {
		return bson.D{}
	}
	return d
}

func newShape(name, coll string, filter, sortDoc bson.Raw, ex bson.D) *Shape {
	s := &Shape{Command: name, Collection: coll, Explain: ex, Fields: map[string]bool{}}
	filterFields(filter, s.Fields)
	f := filterShape(filter)
	s.EmptyQuery = f == ""
	s.Key = name + " " + coll + " filter{" + f + "}"
	if els, err := sortDoc.Elements(); err == nil && len(els) > 0 {
		var parts []string
		for _, el := range els {
			dir := "1"
			if n, ok := el.Value().AsInt64OK(); ok && n < 0 {
				dir = "-1"
			}
			parts = append(parts, el.Key()+":"+dir)
			s.Sort = append(s.Sort, bson.E{Key: el.Key(), Value: el.Value()})
		}
		s.Key += " sort{" + strings.Join(parts, ",") + "}"
	}
	return s
}

// filterFields adds the fields filter constrains to into.
func filterFields(filter bson.Raw, into map[string]bool) {
	els, _ := filter.Elements()
	for _, el := range els {
		k := el.Key()
		if !strings.HasPrefix(k, "$") {
			into[k] = true
			continue
		}
		if arr, ok := el.Value().ArrayOK(); ok {
			vals, _ := arr.Values()
			for _, v := range vals {
				sub, _ := v.DocumentOK()
				filterFields(sub, into)
			}
		}
	}
}

// filterShape writes a filter's field names and operators, never its
// values, with the fields in a fixed order so that the same query built
// in a different order is one shape.
func filterShape(d bson.Raw) string {
	els, err := d.Elements()
	if err != nil || len(els) == 0 {
		return ""
	}
	var parts []string
	for _, el := range els {
		k := el.Key()
		switch k {
		case "$or", "$and", "$nor":
			arr, _ := el.Value().ArrayOK()
			vals, _ := arr.Values()
			var subs []string
			seen := map[string]bool{}
			for _, v := range vals {
				sd, _ := v.DocumentOK()
				if fs := "{" + filterShape(sd) + "}"; !seen[fs] {
					seen[fs] = true
					subs = append(subs, fs)
				}
			}
			sort.Strings(subs)
			parts = append(parts, k+"["+strings.Join(subs, ",")+"]")
			continue
		}
		if sd, ok := el.Value().DocumentOK(); ok {
			if inner, err := sd.Elements(); err == nil && len(inner) > 0 && strings.HasPrefix(inner[0].Key(), "$") {
				var ops []string
				for _, op := range inner {
					o := op.Key()
					if o == "$elemMatch" || o == "$not" {
						sub, _ := op.Value().DocumentOK()
						o += "{" + filterShape(sub) + "}"
					}
					ops = append(ops, o)
				}
				sort.Strings(ops)
				parts = append(parts, k+":{"+strings.Join(ops, ",")+"}")
				continue
			}
		}
		parts = append(parts, k)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// chain calls each monitor in turn.
func chain(ms ...*event.CommandMonitor) *event.CommandMonitor {
	var live []*event.CommandMonitor
	for _, m := range ms {
		if m != nil {
			live = append(live, m)
		}
	}
	switch len(live) {
	case 0:
		return nil
	case 1:
		return live[0]
	}
	return &event.CommandMonitor{
		Started: func(ctx context.Context, e *event.CommandStartedEvent) {
			for _, m := range live {
				if m.Started != nil {
					m.Started(ctx, e)
				}
			}
		},
		Succeeded: func(ctx context.Context, e *event.CommandSucceededEvent) {
			for _, m := range live {
				if m.Succeeded != nil {
					m.Succeeded(ctx, e)
				}
			}
		},
		Failed: func(ctx context.Context, e *event.CommandFailedEvent) {
			for _, m := range live {
				if m.Failed != nil {
					m.Failed(ctx, e)
				}
			}
		},
	}
}
