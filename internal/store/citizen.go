package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// The citizen side and the public Q&A (issue 6, internal/citizen).
//
//   - citizen_links: one document per one-time sign-in link, keyed by the
//     SHA-256 of its token (the token itself is never stored). Read and
//     written by _id only, so it needs no index. FerretDB v1 has no TTL
//     indexes, so expired links stay as small dead documents; they can
//     never be used (ExpiresAt is checked on every use).
//   - published_qa: the public Q&A, one document per published ticket,
//     written when a lead approves and deleted on withdrawal. The public
//     pages read this small collection instead of filtering the tickets
//     collection: on the embedded store every filter scans, and scanning
//     a few hundred published answers is cheap where scanning every
//     ticket is not; on MongoDB the indexes below serve each listing.
const (
	collCitizenLinks = "citizen_links"
	collPublishedQA  = "published_qa"
)

func init() {
	Indexes[collPublishedQA] = append(Indexes[collPublishedQA],
		// /qa filtered by agency (units included), optionally category, newest first.
		mongo.IndexModel{Keys: bson.D{{Key: "agency_path", Value: 1}, {Key: "category", Value: 1}, {Key: "published_at", Value: -1}}, Options: options.Index().SetName("agency_category_published")},
		// /qa filtered by category only.
		mongo.IndexModel{Keys: bson.D{{Key: "category", Value: 1}, {Key: "published_at", Value: -1}}, Options: options.Index().SetName("category_published")},
		// /qa unfiltered, newest first; _id breaks ties in the same order.
		mongo.IndexModel{Keys: bson.D{{Key: "published_at", Value: -1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("published_id")},
	)
}

// CitizenFields are the citizen-side fields a change sets; nil leaves a
// field alone. Like WorkFields they are appended to TicketChange.Set, so
// every write still goes through UpdateTicketWith's compare-and-set.
type CitizenFields struct {
	Rating      *desk.Rating
	Publication *desk.Publication
}

// Set returns the $set entries for f.
func (f CitizenFields) Set() bson.D {
	var d bson.D
	if f.Rating != nil {
		d = append(d, bson.E{Key: "rating", Value: *f.Rating})
	}
	if f.Publication != nil {
		d = append(d, bson.E{Key: "publication", Value: *f.Publication})
	}
	return d
}

// CitizenLink is one one-time sign-in link.
type CitizenLink struct {
	ID           string    `bson:"_id"` // hex SHA-256 of the token
	TicketID     string    `bson:"ticket_id"`
	TrackingCode string    `bson:"tracking_code"`
	CreatedAt    time.Time `bson:"created_at"`
	ExpiresAt    time.Time `bson:"expires_at"`
	Used         bool      `bson:"used"`
	UsedAt       time.Time `bson:"used_at,omitempty"`
}

// InsertCitizenLink stores l.
func (s *Store) InsertCitizenLink(ctx context.Context, l *CitizenLink) error {
	defer s.lockWrite()()
	if _, err := s.db.Collection(collCitizenLinks).InsertOne(ctx, l); err != nil {
		return fmt.Errorf("store sign-in link: %w", err)
	}
	return nil
}

var (
	errLinkInvalid = desk.Errorf(desk.EINVALID, "Đường dẫn xác minh không hợp lệ. Hãy yêu cầu gửi lại đường dẫn mới. (This sign-in link is not valid; ask for a new one.)")
	errLinkUsed    = desk.Errorf(desk.EINVALID, "Đường dẫn xác minh đã được sử dụng; mỗi đường dẫn chỉ dùng được một lần. Hãy yêu cầu gửi lại đường dẫn mới. (This sign-in link was already used; ask for a new one.)")
	errLinkExpired = desk.Errorf(desk.EINVALID, "Đường dẫn xác minh đã hết hạn. Hãy yêu cầu gửi lại đường dẫn mới. (This sign-in link has expired; ask for a new one.)")
)

// UseCitizenLink marks the link with that hash used, if it belongs to the
// ticket with code, is unused and has not expired at now. The check and
// the mark are one atomic step: a link opened twice at once admits one.
// Every failure is EINVALID with a message saying which.
func (s *Store) UseCitizenLink(ctx context.Context, hash, code string, now time.Time) (*CitizenLink, error) {
	defer s.lockWrite()()
	coll := s.db.Collection(collCitizenLinks)
	var l CitizenLink
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&l); err != nil {
		if err == mongo.ErrNoDocuments {
			return nil, errLinkInvalid
		}
		return nil, fmt.Errorf("read sign-in link: %w", err)
	}
	switch {
	case l.TrackingCode != code:
		return nil, errLinkInvalid
	case l.Used:
		return nil, errLinkUsed
	case !now.Before(l.ExpiresAt):
		return nil, errLinkExpired
	}
	// With writes serialised in this process (embedded store) the read
	// above and this update cannot interleave with another use, and a
	// bare {_id} filter is the only one FerretDB serves without a scan.
	// Otherwise (MongoDB) the filter carries used=false so that of two
	// concurrent uses exactly one matches.
	filter := bson.D{{Key: "_id", Value: hash}}
	if !s.serial {
		filter = append(filter, bson.E{Key: "used", Value: false})
	}
	res, err := coll.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: bson.D{{Key: "used", Value: true}, {Key: "used_at", Value: now.UTC()}}}})
	if err != nil {
		return nil, fmt.Errorf("use sign-in link: %w", err)
	}
	if res.MatchedCount == 0 {
		return nil, errLinkUsed
	}
	l.Used, l.UsedAt = true, now.UTC()
	return &l, nil
}

// PublishedQA is one entry of the public Q&A: masked text only, plus what
// the listing filters and shows. ID is a public id that does not reveal
// the ticket's tracking code (internal/citizen derives it).
type PublishedQA struct {
	ID          string    `bson:"_id" json:"id"`
	TicketID    string    `bson:"ticket_id" json:"-"`
	Agency      string    `bson:"agency" json:"agency"`
	AgencyPath  []string  `bson:"agency_path" json:"-"`
	Category    string    `bson:"category" json:"category"`
	Question    string    `bson:"question" json:"question"`
	Answer      string    `bson:"answer" json:"answer"`
	AnsweredAt  time.Time `bson:"answered_at" json:"answered_at"`
	PublishedAt time.Time `bson:"published_at" json:"published_at"`
}

// PutPublishedQA stores q, replacing the entry with its id.
func (s *Store) PutPublishedQA(ctx context.Context, q *PublishedQA) error {
	defer s.lockWrite()()
	if q.AgencyPath == nil {
		q.AgencyPath = []string{}
	}
	_, err := s.db.Collection(collPublishedQA).ReplaceOne(ctx, bson.D{{Key: "_id", Value: q.ID}}, q, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("publish q&a entry: %w", err)
	}
	return nil
}

// DeletePublishedQA removes the entry with id; a missing entry is not an
// error (withdrawing twice leaves the same state).
func (s *Store) DeletePublishedQA(ctx context.Context, id string) error {
	defer s.lockWrite()()
	if _, err := s.db.Collection(collPublishedQA).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return fmt.Errorf("withdraw q&a entry: %w", err)
	}
	return nil
}

// PublishedQAByID returns one entry; ENOTFOUND when there is none.
func (s *Store) PublishedQAByID(ctx context.Context, id string) (*PublishedQA, error) {
	var q PublishedQA
	if err := s.db.Collection(collPublishedQA).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&q); err != nil {
		return nil, notFound(err, "hỏi đáp (q&a entry)")
	}
	return &q, nil
}

// QAFilter narrows the public Q&A listing; empty fields match everything.
type QAFilter struct {
	Agency   string // the agency or any of its units
	Category string
	Limit    int // 1–100, default 20
	Offset   int
}

// PublishedQAs lists entries newest first. more reports whether another
// page follows; it is found by reading one entry past the page, which
// spares a count query (a second scan on the embedded store).
func (s *Store) PublishedQAs(ctx context.Context, qf QAFilter) (out []PublishedQA, more bool, err error) {
	f := bson.D{}
	if qf.Agency != "" {
		f = append(f, bson.E{Key: "agency_path", Value: qf.Agency})
	}
	if qf.Category != "" {
		f = append(f, bson.E{Key: "category", Value: qf.Category})
	}
	limit := qf.Limit
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	cur, err := s.db.Collection(collPublishedQA).Find(ctx, f, options.Find().
		SetSort(bson.D{{Key: "published_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetSkip(int64(qf.Offset)).SetLimit(int64(limit+1)))
	if err != nil {
		return nil, false, fmt.Errorf("list q&a: %w", err)
	}
	out = []PublishedQA{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, false, fmt.Errorf("list q&a: %w", err)
	}
	if len(out) > limit {
		out, more = out[:limit], true
	}
	return out, more, nil
}
