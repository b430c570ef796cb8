// Package imapfetch takes mail out of IMAP mailboxes for agencies whose
// published address lives on another server, speaking IMAP through
// emersion/go-imap/v2's imapclient (session.go). Each fetch hands every
// new message to intake.Accept as an email submission, then marks it
// \Seen, then advances its bookkeeping — in that order, so a crash at any
// point loses nothing and stores nothing twice:
//
//   - bookkeeping is (UIDVALIDITY, highest UID taken) per mailbox in Mongo;
//     the next fetch asks for UIDs above it;
//   - the submission's idempotency key is mailbox + UIDVALIDITY + UID, so a
//     message fetched again after a crash is the same submission;
//   - when UIDVALIDITY changes (the server renumbered the folder), UIDs
//     mean nothing any more and the fetch takes the unseen messages
//     instead — the ones taken before were marked \Seen.
//
// A message over MaxBytes is left unread in the mailbox with an error log
// line, and the bookkeeping moves past it.
package imapfetch

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/intake"
	"github.com/civicdesk/civicdesk/internal/store"
)

// Mailbox is one configured IMAP folder.
type Mailbox struct {
	// Name identifies the mailbox in bookkeeping, task ids and logs:
	// user@host/folder, no password.
	Name     string
	Addr     string // host:port
	User     string
	Password string
	Folder   string
	TLS      bool // imaps:// (implicit TLS)
	StartTLS bool // imap://…?starttls=1
	// Agency receives this mailbox's mail ("" for routing by category).
	Agency string
	// InsecureSkipVerify is for tests against self-signed servers.
	InsecureSkipVerify bool
}

// ParseMailboxes reads CIVICDESK_IMAP_MAILBOXES: space-separated URLs
// imap[s]://user:pass@host[:port]/Folder[?agency=CODE&starttls=1].
// User and password are URL-escaped (an @ in a user name is %40).
func ParseMailboxes(s string) ([]Mailbox, error) {
	var out []Mailbox
	seen := map[string]bool{}
	for _, f := range strings.Fields(s) {
		u, err := url.Parse(f)
		if err != nil {
			return nil, fmt.Errorf("CIVICDESK_IMAP_MAILBOXES: not a URL: %v", err)
		}
		mb := Mailbox{Folder: strings.TrimPrefix(u.Path, "/"), Agency: u.Query().Get("agency")}
		switch u.Scheme {
		case "imaps":
			mb.TLS = true
		case "imap":
			mb.StartTLS = u.Query().Get("starttls") == "1"
		default:
			return nil, fmt.Errorf("CIVICDESK_IMAP_MAILBOXES: scheme %q, want imap or imaps", u.Scheme)
		}
		if u.User == nil || u.User.Username() == "" || u.Host == "" {
			return nil, fmt.Errorf("CIVICDESK_IMAP_MAILBOXES: %s://…@%s needs a user and a host", u.Scheme, u.Host)
		}
		mb.User = u.User.Username()
		mb.Password, _ = u.User.Password()
		mb.Addr = u.Host
		if u.Port() == "" {
			mb.Addr += map[bool]string{true: ":993", false: ":143"}[mb.TLS]
		}
		if mb.Folder == "" {
			mb.Folder = "INBOX"
		}
		mb.Name = mb.User + "@" + mb.Addr + "/" + mb.Folder
		if seen[mb.Name] {
			return nil, fmt.Errorf("CIVICDESK_IMAP_MAILBOXES: %s listed twice", mb.Name)
		}
		seen[mb.Name] = true
		out = append(out, mb)
	}
	return out, nil
}

// Acceptor is the intake door.
type Acceptor interface {
	Accept(ctx context.Context, in intake.Input) (*intake.Receipt, error)
}

// Fetcher fetches mailboxes.
type Fetcher struct {
	Store    *store.Store
	Intake   Acceptor
	Clock    desk.Clock
	Log      *slog.Logger
	MaxBytes int // larger messages are left unread in the mailbox, logged
	Timeout  time.Duration
}

// Result counts what one fetch did.
type Result struct {
	Accepted  int // new submissions
	Duplicate int // already stored by an earlier, interrupted fetch
	TooLarge  int
}

// Fetch takes every message not taken yet from mb. It stops at the first
// message it cannot store, leaving it and the ones after it for the next
// run; everything before it is done and booked.
func (f *Fetcher) Fetch(ctx context.Context, mb Mailbox) (res Result, err error) {
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	maxLit := int64(f.MaxBytes) + 1<<20
	if f.MaxBytes <= 0 {
		maxLit = intake.MaxRaw
	}
	c, err := dial(mb, timeout, maxLit)
	if err != nil {
		return res, fmt.Errorf("imap %s: %w", mb.Name, err)
	}
	defer c.close()
	stop := context.AfterFunc(ctx, func() { c.close() })
	defer stop()
	if err := c.login(mb.User, mb.Password); err != nil {
		return res, fmt.Errorf("imap %s: login: %w", mb.Name, err)
	}
	validity, err := c.selectFolder(mb.Folder)
	if err != nil {
		return res, fmt.Errorf("imap %s: select: %w", mb.Name, err)
	}
	st, err := f.Store.IMAPStateOf(ctx, mb.Name)
	if err != nil {
		return res, err
	}
	search := func() ([]uint32, error) { return c.searchAfter(st.LastUID) }
	if st.UIDValidity != validity {
		if st.UIDValidity != 0 {
			f.Log.Warn("imap: UIDVALIDITY changed; taking the unseen messages", "mailbox", mb.Name, "was", st.UIDValidity, "now", validity)
		}
		st = &store.IMAPState{Mailbox: mb.Name, UIDValidity: validity}
		search = c.searchUnseen
	}
	uids, err := search()
	if err != nil {
		return res, fmt.Errorf("imap %s: search: %w", mb.Name, err)
	}
	sort.Slice(uids, func(i, j int) bool { return uids[i] < uids[j] })
	for _, uid := range uids {
		if uid <= st.LastUID {
			continue // "n:*" always names the highest UID, even below n
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := f.take(ctx, c, mb, validity, uid, &res); err != nil {
			return res, fmt.Errorf("imap %s: uid %d: %w", mb.Name, uid, err)
		}
		st.LastUID = uid
		st.UpdatedAt = f.Clock.Now().UTC()
		if err := f.Store.SetIMAPState(ctx, *st); err != nil {
			return res, err
		}
	}
	if len(uids) == 0 && st.LastUID == 0 {
		// Remember the UIDVALIDITY even of an empty mailbox, so its first
		// message is found by UID next time.
		st.UpdatedAt = f.Clock.Now().UTC()
		if err := f.Store.SetIMAPState(ctx, *st); err != nil {
			return res, err
		}
	}
	c.logout()
	return res, nil
}

// take stores one message as a submission and then marks it \Seen. A UID
// that fetches nothing was expunged meanwhile and is passed over.
func (f *Fetcher) take(ctx context.Context, c *session, mb Mailbox, validity, uid uint32, res *Result) error {
	size, ok, err := c.size(uid)
	if err != nil || !ok {
		return err
	}
	if f.MaxBytes > 0 && size > int64(f.MaxBytes) {
		// Left unread for a person to look at; the bookkeeping moves past
		// it so one huge message does not block the mailbox.
		f.Log.Error("imap: message over the size limit left in the mailbox", "mailbox", mb.Name, "uid", uid, "bytes", size)
		res.TooLarge++
		return nil
	}
	raw, ok, err := c.body(uid)
	if err != nil || !ok {
		return err
	}
	rec, err := f.Intake.Accept(ctx, intake.Input{
		Channel:        desk.ChannelEmail,
		IdempotencyKey: "imap:" + mb.Name + ":" + strconv.FormatUint(uint64(validity), 10) + ":" + strconv.FormatUint(uint64(uid), 10),
		Raw:            raw,
		Mail:           &desk.MailEnvelope{Source: "imap:" + mb.Name, To: []string{mb.User}},
		Agency:         mb.Agency,
	})
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if rec.Duplicate {
		res.Duplicate++
	} else {
		res.Accepted++
	}
	// Only now, with the submission durable, is it marked read.
	if err := c.markSeen(uid); err != nil {
		return fmt.Errorf("mark seen: %w", err)
	}
	return nil
}

func hostOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i > 0 {
		return strings.Trim(addr[:i], "[]")
	}
	return addr
}
