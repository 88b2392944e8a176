package storage

import (
	"context"
	"fmt"
)

// Ping reports whether the database answers, within ctx's deadline: /readyz
// asks it with a short one, so a database that stopped answering shows as
// down at once rather than after the driver's own timeout.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, nil); err != nil {
		return fmt.Errorf("ping the database: %w", err)
	}
	return nil
}
