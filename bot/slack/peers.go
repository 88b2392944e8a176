package slack

import (
	"context"
	"log/slog"
	"time"
)

// Replicas sharing a workspace: Slack's limits are the workspace's (one
// app in one workspace), so N replicas each keeping to the whole of them
// would together go N times over. With Peers, each replica says every
// peerRenew that it is alive and paces itself at 1/N of every
// workspace-wide limit, N being the replicas alive now; one that stops is
// left out within peerTTL (at once when it stops normally).
const (
	peerTTL   = 20 * time.Second
	peerRenew = 5 * time.Second
	// peerTimeout bounds one renewal; a replica that can't reach the
	// database keeps its last share.
	peerTimeout = 5 * time.Second
)

// Peers counts the replicas alive in a group, across replicas on one
// database; *storage.Store implements it.
type Peers interface {
	// Present marks member of group alive until until and returns how many
	// members the group has at now, member included.
	Present(ctx context.Context, group, member string, now, until time.Time) (int, error)
	// Leave removes member from group at once.
	Leave(ctx context.Context, group, member string) error
}

// WithPeers shares the workspace's rate limits with the other replicas in
// group (replicas of one app in one workspace use the same group), this one
// being member.
func WithPeers(p Peers, group, member string) Option {
	return func(a *Adapter) { a.peers, a.peerGroup, a.peerName = p, group, member }
}

// sharePace keeps this replica's share of the workspace's limits up to
// date until ctx is done or the returned stop is called, which also leaves
// the group.
func (a *Adapter) sharePace(ctx context.Context) (stop func()) {
	if a.peers == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(peerRenew)
		defer t.Stop()
		for {
			a.renewShare(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), peerTimeout)
		defer cancel()
		if err := a.peers.Leave(lctx, a.peerGroup, a.peerName); err != nil {
			a.log.Warn("slack: leaving the replicas that share the workspace", slog.Any("err", err))
		}
	}
}

// renewShare marks this replica alive and paces it at its share.
func (a *Adapter) renewShare(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, peerTimeout)
	defer cancel()
	now := time.Now()
	n, err := a.peers.Present(ctx, a.peerGroup, a.peerName, now, now.Add(peerTTL))
	if err != nil {
		if ctx.Err() == nil {
			a.log.Warn("slack: can't count the replicas sharing the workspace; keeping the pace", slog.Any("err", err))
		}
		return
	}
	if a.limits.setShare(n) {
		a.log.Info("slack: pacing at a share of the workspace's limits", slog.Int("replicas", n))
	}
}
