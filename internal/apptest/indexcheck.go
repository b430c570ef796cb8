package apptest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/store"
)

// SmallCollections are the collections whose size is fixed by
// configuration rather than by use; a query on them may read the whole
// collection. Every other collection grows with submissions, tickets,
// calls, mail or sign-ins, and each of its queries must be served by an
// index declared in store.Indexes.
var SmallCollections = map[string]string{
	"agencies":           "the catalog: tens of agencies, read whole into memory and refreshed every 30 s",
	"categories":         "the catalog: tens of categories, read whole with the agencies",
	"settings":           "a handful of named documents (CTI token, secrets), read by _id",
	"routing_rules":      "rules an admin writes, tens at most, read whole in order",
	"spam_rules":         "one rules document, reloaded every 10 s",
	"calendar_overrides": "days off and make-up days an admin declares, a few a year, read whole",
	"report_state":       "one watermark document per report job",
	"imap_state":         "one document per configured mailbox",
}

// WholeReads are query shapes on growing collections that read the whole
// collection by design, with the reason. The key is Shape.Key.
var WholeReads = map[string]string{
	// The report rollups (internal/reports): the first roll, and
	// `civicdesk reports rebuild`, recompute every day from every ticket and
	// call; later rolls read only the days that changed
	// (tickets {created_at}, calls {day}).
	"find tickets filter{}": "the report rollups' full rebuild reads every ticket once, in batches",
	"find calls filter{}":   "the report rollups' full rebuild reads every call once, in batches",
	// Every process serving reports holds the rollups in memory and
	// reloads them whole when their generation changes.
	"find rollups filter{}": "the rollups are held whole in memory by each process serving reports, reloaded when their generation moves",
	// Counting a whole collection: `civicdesk reindex` shows its progress
	// against the number of tickets; submissions are counted whole only by
	// tests.
	"aggregate tickets filter{} then $group":     "civicdesk reindex counts every ticket once, for its progress bar",
	"aggregate submissions filter{} then $group": "only tests count every submission",
}

// CheckIndexCoverage runs the package's tests and then, when they ran on
// an external server (CIVICDESK_TEST_MONGO_URI), checks that every query
// shape they sent is served by an index: call it from TestMain as
// os.Exit(apptest.CheckIndexCoverage(m)). It fails the run (exit 1) and
// names each shape that reads a growing collection whole.
//
// Method, for the DocumentDB server (FerretDB v2 on PostgreSQL with
// DocumentDB, shared/tools/documentdb): the check opens a fresh database,
// creates the collections and exactly the indexes in store.Indexes there
// (store.EnsureIndexes), and explains, in that database, the first concrete
// command of every shape recorded during the run. explain is refused for
// update, delete and findAndModify on this server, so their filter (and
// sort) is explained as a find; the plan for selecting the documents is
// the same. The plan is PostgreSQL's, under queryPlanner.Plan. This
// server never plans a "Seq Scan" on a collection, even an empty one or
// one with thousands of documents (measured: 0, 10 and 5,000 documents);
// a query no index serves instead shows a Bitmap Index Scan of the
// primary key "_id_" whose only condition is the collection's
// shard_key_value, which reads every document. The check treats that, or a
// Seq Scan, as a scan; so no documents need seeding and the plan does not
// depend on table statistics. The server also never walks an index to give
// an order (a sort is always a separate Sort node), so a query with an
// empty filter and a sort (the newest audit entries, the call log) would
// always look like a scan here: for those the check asks instead that
// store.Indexes hold an index whose leading keys are the sort's, which is
// what MongoDB walks for them.
func CheckIndexCoverage(m *testing.M) int {
	code := m.Run()
	uri := os.Getenv("CIVICDESK_TEST_MONGO_URI")
	all := shapes.all()
	if uri == "" || len(all) == 0 {
		return code
	}
	report, failed, err := checkShapes(uri, all)
	if err != nil {
		fmt.Fprintf(os.Stderr, "index coverage: %v\n", err)
		return 1
	}
	if failed > 0 || testing.Verbose() || os.Getenv("CIVICDESK_TEST_INDEX_REPORT") != "" {
		io.WriteString(os.Stderr, report)
	}
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: index coverage: %d of %d query shapes read a growing collection whole; declare an index in store.Indexes or change the query\n", failed, len(all))
		return 1
	}
	fmt.Fprintf(os.Stderr, "index coverage: %d query shapes, each served by an index or exempt\n", len(all))
	return code
}

// pkOnly is the index condition of a whole-collection read on DocumentDB:
// the primary key walked for the collection's shard key alone.
var pkOnly = regexp.MustCompile(`^\(shard_key_value = '\d+'::bigint\)$`)

func checkShapes(uri string, all []*Shape) (string, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	name := "t_idxcheck_" + hex.EncodeToString(rnd[:])
	st, err := store.Open(ctx, uri, name)
	if err != nil {
		return "", 0, err
	}
	defer st.Close(context.Background())
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return "", 0, err
	}
	defer c.Disconnect(context.Background())
	db := c.Database(name)
	defer db.Drop(context.Background())
	if err := st.EnsureIndexes(ctx); err != nil {
		return "", 0, err
	}
	var sb strings.Builder
	failed := 0
	for _, s := range all {
		verdict := ""
		switch {
		case SmallCollections[s.Collection] != "":
			verdict = "exempt: " + SmallCollections[s.Collection]
		case WholeReads[s.Key] != "":
			verdict = "exempt: " + WholeReads[s.Key]
		case s.EmptyQuery && len(s.Sort) == 1 && s.Sort[0].Key == "_id":
			verdict = "ok: order from the primary key _id_"
		case s.EmptyQuery && len(s.Sort) > 0:
			if idx := sortIndex(s.Collection, s.Sort); idx != "" {
				verdict = "ok: order from index " + idx + " (declared)"
			} else {
				verdict = "SCAN: no index in store.Indexes gives this order"
			}
		default:
			var out bson.Raw
			err := db.RunCommand(ctx, bson.D{{Key: "explain", Value: s.Explain}, {Key: "verbosity", Value: "queryPlanner"}}).Decode(&out)
			if err != nil {
				verdict = "SCAN?: explain failed: " + err.Error()
				break
			}
			plan, _ := out.Lookup("queryPlanner", "Plan").DocumentOK()
			scan, used := readPlan(plan)
			if scan == "" {
				scan = unledIndex(s, used)
			}
			switch {
			case scan != "":
				verdict = "SCAN: " + scan
			case len(used) == 0:
				verdict = "SCAN?: no index in the plan"
			default:
				verdict = "ok: " + strings.Join(used, ",")
			}
		}
		if strings.HasPrefix(verdict, "SCAN") {
			failed++
		}
		fmt.Fprintf(&sb, "%-6s %s  (%d×)\n       %s\n       from %s\n", map[bool]string{true: "FAIL", false: "ok"}[strings.HasPrefix(verdict, "SCAN")], s.Key, s.Seen, verdict, s.Where)
	}
	return sb.String(), failed, nil
}

// unledIndex names an index the plan uses whose leading key the filter does
// not constrain. DocumentDB's indexes answer a condition on any of their
// keys, but MongoDB's B-tree serves a filter only through its leading keys
// and would walk such an index whole.
func unledIndex(s *Shape, used []string) string {
	for _, name := range used {
		if name == "_id_" {
			continue
		}
		keys := indexKeys(s.Collection, name)
		if len(keys) == 0 {
			return "index " + name + " is not in store.Indexes"
		}
		if s.Fields[keys[0].Key] {
			continue
		}
		// DocumentDB may pick such an index where a declared one that
		// does lead with a constrained field exists; MongoDB would use that.
		if alt := ledIndex(s); alt != "" {
			continue
		}
		return "index " + name + " used without its leading key " + keys[0].Key + ", and no index in store.Indexes leads with a field the filter constrains (MongoDB would read an index or the collection whole)"
	}
	return ""
}

// ledIndex names an index in store.Indexes on s's collection whose leading
// key s's filter constrains, or "".
func ledIndex(s *Shape) string {
	for _, m := range store.Indexes[s.Collection] {
		if keys, ok := m.Keys.(bson.D); ok && len(keys) > 0 && s.Fields[keys[0].Key] {
			return indexName(m)
		}
	}
	return ""
}

// indexKeys returns the keys of the index named name on coll in
// store.Indexes.
func indexKeys(coll, name string) bson.D {
	for _, m := range store.Indexes[coll] {
		if indexName(m) == name {
			keys, _ := m.Keys.(bson.D)
			return keys
		}
	}
	return nil
}

func indexName(m mongo.IndexModel) string {
	var o options.IndexOptions
	if m.Options != nil {
		for _, set := range m.Options.List() {
			_ = set(&o)
		}
	}
	if o.Name != nil {
		return *o.Name
	}
	return ""
}

// readPlan walks a PostgreSQL plan and returns why it reads a whole
// collection ("" if it does not) and the indexes it uses.
func readPlan(node bson.Raw) (scan string, used []string) {
	if node == nil {
		return "", nil
	}
	typ, _ := node.Lookup("Node Type").StringValueOK()
	idx, _ := node.Lookup("Index Name").StringValueOK()
	cond, _ := node.Lookup("Index Cond").StringValueOK()
	switch {
	case typ == "Seq Scan":
		rel, _ := node.Lookup("Relation Name").StringValueOK()
		scan = "Seq Scan on " + rel
	case idx == "_id_" && pkOnly.MatchString(cond):
		scan = typ + " of _id_ on the shard key alone (every document)"
	case idx != "":
		used = append(used, idx)
	}
	if arr, ok := node.Lookup("Plans").ArrayOK(); ok {
		vals, _ := arr.Values()
		for _, v := range vals {
			child, _ := v.DocumentOK()
			s, u := readPlan(child)
			if scan == "" {
				scan = s
			}
			used = append(used, u...)
		}
	}
	return scan, used
}

// sortIndex names the index in store.Indexes on coll whose leading keys are
// sort's, in the same or the opposite direction throughout, or "".
func sortIndex(coll string, sortKeys bson.D) string {
	for _, m := range store.Indexes[coll] {
		keys, ok := m.Keys.(bson.D)
		if !ok || len(keys) < len(sortKeys) {
			continue
		}
		same, flipped := true, true
		for i, sk := range sortKeys {
			if keys[i].Key != sk.Key {
				same, flipped = false, false
				break
			}
			d := direction(sk.Value) * direction(keys[i].Value)
			same = same && d > 0
			flipped = flipped && d < 0
		}
		if same || flipped {
			if n := indexName(m); n != "" {
				return n
			}
			return fmt.Sprint(keys)
		}
	}
	return ""
}

func direction(v any) int {
	switch n := v.(type) {
	case int:
		return sign(int64(n))
	case int32:
		return sign(int64(n))
	case int64:
		return sign(n)
	case float64:
		return sign(int64(n))
	case bson.RawValue:
		if i, ok := n.AsInt64OK(); ok {
			return sign(i)
		}
	}
	return 0
}

func sign(n int64) int {
	if n < 0 {
		return -1
	}
	return 1
}
