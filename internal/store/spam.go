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

// The spam check's data: the administrators' rule documents (every version
// kept, the highest is current), a counter per sender of confirmed spam and
// released tickets, and the queries the check and the quarantine review
// make on submissions and tickets.

func (s *Store) spamRules() *mongo.Collection   { return s.db.Collection("spam_rules") }
func (s *Store) spamSenders() *mongo.Collection { return s.db.Collection("spam_senders") }

// SpamRulesDoc is one stored version of the spam rules. Document is the
// JSON text exactly as the administrator sent it, so a GET gives back what
// was PUT; the caller has validated it before storing.
type SpamRulesDoc struct {
	Version   int       `bson:"_id"`
	Document  string    `bson:"document"`
	UpdatedAt time.Time `bson:"updated_at"`
	UpdatedBy string    `bson:"updated_by"`
}

// CurrentSpamRules returns the highest stored version; ENOTFOUND when the
// administrators have stored none (the built-in rules apply).
func (s *Store) CurrentSpamRules(ctx context.Context) (*SpamRulesDoc, error) {
	var d SpamRulesDoc
	err := s.spamRules().FindOne(ctx, bson.D{}, options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})).Decode(&d)
	if err != nil {
		return nil, notFound(err, "spam rules")
	}
	return &d, nil
}

// PutSpamRules stores a new version. Versions only go up: one not above
// the current version, or one stored concurrently by someone else, is
// ECONFLICT and stores nothing. Old versions are kept as the audit trail.
func (s *Store) PutSpamRules(ctx context.Context, d SpamRulesDoc) error {
	cur, err := s.CurrentSpamRules(ctx)
	if err != nil && desk.ErrorCode(err) != desk.ENOTFOUND {
		return err
	}
	if cur != nil && d.Version <= cur.Version {
		return desk.Errorf(desk.ECONFLICT, "Phiên bản quy tắc phải lớn hơn phiên bản hiện tại %d (version must be above the current %d).", cur.Version, cur.Version)
	}
	if _, err := s.spamRules().InsertOne(ctx, d); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return desk.Errorf(desk.ECONFLICT, "Phiên bản %d vừa được lưu bởi người khác (version %d was just stored by someone else).", d.Version, d.Version)
		}
		return fmt.Errorf("store spam rules: %w", err)
	}
	return nil
}

// senderCounts is one sender's spam history.
type senderCounts struct {
	Key  string `bson:"_id"`
	Spam int    `bson:"spam"`
	Ham  int    `bson:"ham"`
}

// SenderHistory returns how many of the senders' earlier tickets were
// confirmed spam and how many were released as real, over all the keys
// (desk.SenderKeys) in one read. The larger count of any one key is used,
// so a phone and an e-mail of the same person are not counted twice.
func (s *Store) SenderHistory(ctx context.Context, keys []string) (spam, ham int, err error) {
	if len(keys) == 0 {
		return 0, 0, nil
	}
	cur, err := s.spamSenders().Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}})
	if err != nil {
		return 0, 0, fmt.Errorf("sender history: %w", err)
	}
	var rows []senderCounts
	if err := cur.All(ctx, &rows); err != nil {
		return 0, 0, fmt.Errorf("sender history: %w", err)
	}
	for _, r := range rows {
		spam, ham = max(spam, r.Spam), max(ham, r.Ham)
	}
	return spam, ham, nil
}

// AddSenderHistory adds to the senders' counts (negative to correct a
// confirmation that a later release undid).
func (s *Store) AddSenderHistory(ctx context.Context, keys []string, spam, ham int) error {
	for _, k := range keys {
		err := incrementByID(ctx, s.spamSenders(), k,
			bson.D{{Key: "$inc", Value: bson.D{{Key: "spam", Value: spam}, {Key: "ham", Value: ham}}}},
			bson.D{{Key: "spam", Value: 0}, {Key: "ham", Value: 0}}, nil)
		if err != nil {
			return fmt.Errorf("sender history: %w", err)
		}
	}
	return nil
}

// maxSameBodyScan bounds how many identical submissions are read to count
// their senders; the spam rule needs a handful.
const maxSameBodyScan = 100

// SameBodySenders counts the distinct other senders whose submissions in
// [since, sub.ReceivedAt] had the same normalised body as sub. A sender is
// "other" when it shares neither phone nor e-mail with sub; submissions
// with neither count by their source address.
func (s *Store) SameBodySenders(ctx context.Context, sub *desk.Submission, since time.Time) (int, error) {
	return s.reads.SameBodySenders(ctx, sub, since)
}

// SameBodySenders reads the submissions it counts with one query on the
// index "body_hash_received".
func (r *indexReads) SameBodySenders(ctx context.Context, sub *desk.Submission, since time.Time) (int, error) {
	if sub.BodyHash == "" {
		return 0, nil
	}
	cur, err := r.s.subs.Find(ctx, bson.D{
		{Key: "body_hash", Value: sub.BodyHash},
		{Key: "received_at", Value: bson.D{{Key: "$gte", Value: since.UTC()}, {Key: "$lte", Value: sub.ReceivedAt.UTC()}}},
	}, options.Find().SetSort(bson.D{{Key: "body_hash", Value: 1}, {Key: "received_at", Value: -1}}).SetLimit(maxSameBodyScan).
		SetProjection(bson.D{{Key: "citizen.phone", Value: 1}, {Key: "citizen.email", Value: 1}, {Key: "remote_ip", Value: 1}}))
	if err != nil {
		return 0, fmt.Errorf("same body: %w", err)
	}
	var rows []desk.Submission
	if err := cur.All(ctx, &rows); err != nil {
		return 0, fmt.Errorf("same body: %w", err)
	}
	return countOtherSenders(sub, rows), nil
}

// countOtherSenders counts the distinct senders of rows other than sub's.
func countOtherSenders(sub *desk.Submission, rows []desk.Submission) int {
	mine := map[string]bool{}
	for _, k := range desk.SenderKeys(sub.Citizen) {
		mine[k] = true
	}
	if len(mine) == 0 && sub.RemoteIP != "" {
		mine["ip:"+sub.RemoteIP] = true
	}
	others := map[string]bool{}
	for _, r := range rows {
		if r.ID == sub.ID {
			continue
		}
		keys := desk.SenderKeys(r.Citizen)
		if len(keys) == 0 && r.RemoteIP != "" {
			keys = []string{"ip:" + r.RemoteIP}
		}
		same := len(keys) == 0
		for _, k := range keys {
			same = same || mine[k]
		}
		if !same {
			others[keys[0]] = true
		}
	}
	return len(others)
}

// quarantineProjection keeps the body: a reviewer must read it.
var quarantineProjection = bson.D{{Key: "events", Value: 0}, {Key: "messages", Value: 0}}

// Quarantine lists quarantined tickets in a review state (desk.SpamPending
// or desk.SpamConfirmed), oldest first, with their bodies and score
// breakdowns, and the total. Coordinators and admins only: agency staff
// get EFORBIDDEN, since quarantined tickets belong to no agency.
func (s *Store) Quarantine(ctx context.Context, actor *desk.User, review string, limit, offset int) ([]*desk.Ticket, int, error) {
	if actor == nil || (actor.Role != desk.RoleCoordinator && actor.Role != desk.RoleAdmin) {
		return nil, 0, desk.Errorf(desk.EFORBIDDEN, "Chỉ điều phối viên xem được phiếu bị giữ lại (only coordinators review the quarantine).")
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	return s.reads.Quarantine(ctx, review, limit, offset)
}

// Quarantine pages with one query on the index "quarantine".
func (r *indexReads) Quarantine(ctx context.Context, review string, limit, offset int) ([]*desk.Ticket, int, error) {
	s := r.s
	f := bson.D{{Key: "status", Value: desk.StatusQuarantined}, {Key: "spam.review", Value: review}}
	cur, err := s.tickets.Find(ctx, f, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}).
		SetSkip(int64(offset)).SetLimit(int64(limit)).SetProjection(quarantineProjection))
	if err != nil {
		return nil, 0, fmt.Errorf("quarantine: %w", err)
	}
	var out []*desk.Ticket
	if err := cur.All(ctx, &out); err != nil {
		return nil, 0, fmt.Errorf("quarantine: %w", err)
	}
	n, err := s.tickets.CountDocuments(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("quarantine: %w", err)
	}
	return out, int(n), nil
}

// SpamReviewSet returns the $set entries recording a review of a
// quarantined ticket, for TicketChange.Set.
func SpamReviewSet(review, by string, at time.Time) bson.D {
	return bson.D{
		{Key: "spam.review", Value: review},
		{Key: "spam.reviewed_by", Value: by},
		{Key: "spam.reviewed_at", Value: at.UTC()},
	}
}

// RoutedSet returns the $set entries that give a ticket its routing:
// agency, visibility, priority, rule, hops, custody and every deadline, as
// tickets.Service.NewTicket computed them on t. Releasing a quarantined
// ticket applies them in one compare-and-set.
func RoutedSet(t *desk.Ticket) bson.D {
	cf := CustodyFields{Agency: t.Agency, AgencyPath: t.AgencyPath, Hops: t.Hops, Custody: t.Custody, SuggestedAgency: t.SuggestedAgency}
	set := append(cf.Set(),
		bson.E{Key: "priority", Value: t.Priority},
		bson.E{Key: "routing_rule", Value: t.RoutingRule})
	return append(set, SLAOf(t).Set()...)
}

// SpamCheckSet returns the $set entry that stores a whole spam check.
func SpamCheckSet(c *desk.SpamCheck) bson.D { return bson.D{{Key: "spam", Value: c}} }
