package roster

import (
	"github.com/plpbot/plpbot/roster/oneroster"
	"github.com/plpbot/plpbot/storage"
)

// known answers oneroster.Check about what earlier imports stored and
// have not ended.
type known struct {
	active map[string]map[string]bool // file → sourcedId → not ended
	any    map[string]bool
}

func newKnown(st *storage.RosterState) *known {
	k := &known{active: map[string]map[string]bool{}, any: map[string]bool{}}
	add := func(file, sid string, ended bool) {
		if k.active[file] == nil {
			k.active[file] = map[string]bool{}
		}
		k.active[file][sid] = !ended
		k.any[file] = true
	}
	for _, p := range st.People {
		add(oneroster.FileUsers, p.SIS.SourcedID, !p.SIS.Ended.IsZero())
	}
	for _, c := range st.Classes {
		add(oneroster.FileClasses, c.SIS.SourcedID, !c.SIS.Ended.IsZero())
	}
	for _, r := range st.Records {
		add(r.File, r.SourcedID, !r.Ended.IsZero())
	}
	return k
}

// Has implements oneroster.Known.
func (k *known) Has(file, sid string) bool { return k.active[file][sid] }

// Any implements oneroster.Known.
func (k *known) Any(file string) bool { return k.any[file] }
