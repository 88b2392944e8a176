package storage

import "time"

// linkCacheTTL is how long a chat account's link to a roster person, once
// read, is taken as known without reading it again.
const linkCacheTTL = time.Minute

// linkCacheMax bounds the links kept; past it, they start afresh.
const linkCacheMax = 50000

// Store.links keeps which roster person each chat account read lately is
// linked to (chat id → person id), so a mention of a linked account is
// read as one request for the person, not three (the account, its link,
// the person). A link is never changed, only removed with its person
// (forget): a person read by a cached link that is not there drops it, and
// this process's forget drops the person's links at once; another
// replica's is seen once the entry is older than linkCacheTTL.
func newLinkCache() *recent[string] { return newRecent[string](linkCacheTTL, linkCacheMax) }
