// Command civicdesk runs the citizen feedback and call-center system.
//
//	civicdesk [serve]   web, workers and reconciler in one process (default)
//	civicdesk web       the HTTP server only
//	civicdesk worker    the queue workers and reconciler only
//	civicdesk seed      load the catalog (agencies, categories) from the seed file
//	civicdesk reindex   rebuild the search index from the store
//	civicdesk provinces migrate  move tickets with pre-2025 province names to the current unit
//	civicdesk calendar  working-day calendar: holidays, due dates
//	civicdesk config    print the effective configuration, secrets masked
//	civicdesk version   print the version
//
// Configuration comes from CIVICDESK_* environment variables and flags;
// `civicdesk config` lists every one.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, LookupEnv: os.LookupEnv}.Run(ctx, os.Args[1:]))
}
