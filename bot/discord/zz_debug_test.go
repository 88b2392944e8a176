package discord
import ("testing";"strings")
func TestZZShow(t *testing.T) {
	f, _, _ := startAdapter(t, realHandler(t))
	run := func(id, user string, path []string, opts []map[string]any, res map[string]any) {
		in := slashInteraction(id, user, path, opts, res)
		f.dispatch("INTERACTION_CREATE", in)
		m, k := lastCallback(t, f, id)
		t.Logf("---- %s (type %d flags %d)\n%s\nbuttons: %+v", strings.Join(path," "), k, m.Flags, m.text(), m.Components)
	}
	run("a","t1",[]string{"class","create"},[]map[string]any{opt("name",3,"Period 3")},nil)
	run("b","t1",[]string{"class","add"},[]map[string]any{opt("users",6,"u1")},map[string]any{"users": map[string]any{"u1": map[string]any{"id":"u1","username":"sam"}}})
	run("c","u1",[]string{"goal","add"},[]map[string]any{opt("title",3,"Read *three* novels @everyone")},nil)
	run("d","u1",[]string{"checkin"},[]map[string]any{opt("n",4,1),opt("percent",4,40)},nil)
	run("e","t1",[]string{"roster"},nil,nil)
	run("f","u1",[]string{"plan"},nil,nil)
}
