// Package embedded runs the backends civicdesk needs inside its own process
// when no server is configured: FerretDB on SQLite for MongoDB and miniredis
// for Redis. The same driver code talks to them as to the real servers, over
// real sockets on the loopback interface.
//
// This is the "try it with one command" mode and the test stack. FerretDB v1
// scans a collection on every lookup, so it is for small offices and
// evaluation; production uses MongoDB (see the README for measured limits).
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/alicebob/miniredis/v2"
)

// Mongo is an in-process FerretDB serving the MongoDB wire protocol.
type Mongo struct {
	dir    string // the SQLite files, one per database
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
}

// StartMongo starts FerretDB with its SQLite files under dir and returns
// once it accepts connections.
func StartMongo(dir string) (*Mongo, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded mongo: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	// FerretDB logs every error reply it sends at WARN, and duplicate-key
	// errors are part of our normal idempotent flow, so only errors reach us.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})).With("component", "ferretdb")
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("embedded mongo: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Mongo{dir: abs, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		_ = f.Run(ctx)
	}()
	// MongoDBURI blocks until the listener has its address.
	m.uri = f.MongoDBURI()
	return m, nil
}

// URI is the mongodb:// address of the embedded server.
func (m *Mongo) URI() string { return m.uri }

// Close stops the server and waits for it to release its files.
func (m *Mongo) Close() error {
	m.cancel()
	select {
	case <-m.done:
		return nil
	case <-time.After(10 * time.Second):
		return errors.New("embedded mongo: did not stop within 10s")
	}
}

// Redis is an in-process miniredis. It keeps nothing on disk: after a
// restart the queue is empty and the reconciler rebuilds it from Mongo.
type Redis struct {
	*miniredis.Miniredis
	stop chan struct{}
	once sync.Once
}

// StartRedis starts miniredis on a loopback port and a ticker that advances
// its clock. miniredis only expires keys when told time has passed; without
// the ticker asynq's unique locks and lease TTLs would never lapse.
func StartRedis() (*Redis, error) {
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("embedded redis: %w", err)
	}
	r := &Redis{Miniredis: m, stop: make(chan struct{})}
	const tick = 100 * time.Millisecond
	go func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-r.stop:
				return
			case <-t.C:
				m.FastForward(tick)
			}
		}
	}()
	return r, nil
}

// Close stops the ticker and the server.
func (r *Redis) Close() error {
	r.once.Do(func() {
		close(r.stop)
		r.Miniredis.Close()
	})
	return nil
}
