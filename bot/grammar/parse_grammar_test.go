package grammar_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
	"github.com/plpbot/plpbot/handlers"
)

// A and U shorten expected invocations.
type A = map[string]string
type U = map[string][]bot.Identity

func who(names ...string) []bot.Identity {
	ids := make([]bot.Identity, 0, len(names))
	for _, n := range names {
		ids = append(ids, bot.Identity{Platform: bot.Console, UserID: n, Name: n})
	}
	return ids
}

func want(path string, args A, users U) *bot.Invocation {
	if args == nil {
		args = A{}
	}
	if users == nil {
		users = U{}
	}
	return &bot.Invocation{Path: strings.Fields(path), Args: args, Users: users}
}

// parseCases covers every command of handlers.Grammar(); TestParseEveryCommand
// fails if a command is added without a case here.
var parseCases = []struct {
	line string
	want *bot.Invocation
}{
	{"", want("help", nil, nil)},
	{"/plp", want("help", nil, nil)},
	{"help", want("help", nil, nil)},
	{"/plp help checkin", want("help", A{"command": "checkin"}, nil)},
	{"HELP goal add", want("help", A{"command": "goal add"}, nil)},
	{"plan", want("plan", nil, nil)},
	{"profile", want("profile show", nil, nil)},
	{"profile show", want("profile show", nil, nil)},
	{"profile set interests robotics, drawing", want("profile set", A{"field": "interests", "text": "robotics, drawing"}, nil)},
	{"profile set Learn by doing\nand  talking", want("profile set", A{"field": "learn", "text": "by doing\nand  talking"}, nil)},
	{"profile set timezone America/Chicago", want("profile set", A{"field": "timezone", "text": "America/Chicago"}, nil)},
	{"goal add Read three novels category:academic by:2027-05-30 why:I want to enjoy reading again",
		want("goal add", A{"title": "Read three novels", "category": "academic", "by": "2027-05-30", "why": "I want to enjoy reading again"}, nil)},
	{"goal add Read three novels", want("goal add", A{"title": "Read three novels"}, nil)},
	{`goal add "Run a 5k"`, want("goal add", A{"title": "Run a 5k"}, nil)},
	{`goal add Say "hi" daily`, want("goal add", A{"title": `Say "hi" daily`}, nil)},
	{"goal add CATEGORY:Career Shadow a nurse BY:2027-3-4", want("goal add", A{"title": "Shadow a nurse", "category": "career", "by": "2027-03-04"}, nil)},
	{"goal add why: it matters by: 2027-06-01 Learn chords", want("goal add", A{"title": "Learn chords", "why": "it matters", "by": "2027-06-01"}, nil)},
	{`goal add Learn Go why:"because" tag:x`, want("goal add", A{"title": "Learn Go", "why": `"because" tag:x`}, nil)},
	{`goal add Learn Go why:"because I can"`, want("goal add", A{"title": "Learn Go", "why": "because I can"}, nil)},
	{"goal add Ratio 3:1 practice", want("goal add", A{"title": "Ratio 3:1 practice"}, nil)},
	{"goal list", want("goal list", nil, nil)},
	{"goal show 2", want("goal show", A{"n": "2"}, nil)},
	{"goal show 2 @sam", want("goal show", A{"n": "2"}, U{"user": who("sam")})},
	{"goal done 2", want("goal done", A{"n": "2"}, nil)},
	{"goal done #02", want("goal done", A{"n": "2"}, nil)},
	{"goal drop 3", want("goal drop", A{"n": "3"}, nil)},
	{"goal pause 3", want("goal pause", A{"n": "3"}, nil)},
	{"goal resume 3", want("goal resume", A{"n": "3"}, nil)},
	{"goal edit 2 by:2027-06-15", want("goal edit", A{"n": "2", "by": "2027-06-15"}, nil)},
	{"goal edit 1 title:Read four novels why:I'm on a roll", want("goal edit", A{"n": "1", "title": "Read four novels", "why": "I'm on a roll"}, nil)},
	{"goal edit 1 tag:ELA.RL.3 category:personal", want("goal edit", A{"n": "1", "tag": "ELA.RL.3", "category": "personal"}, nil)},
	{"step add 1 Finish Beloved", want("step add", A{"n": "1", "text": "Finish Beloved"}, nil)},
	{"step done 1.2", want("step done", A{"step": "1.2"}, nil)},
	{"checkin 1 40%", want("checkin", A{"n": "1", "percent": "40"}, nil)},
	{"checkin 1 0", want("checkin", A{"n": "1", "percent": "0"}, nil)},
	{"checkin 2 75% finished chapter 3 confidence:4", want("checkin", A{"n": "2", "percent": "75", "note": "finished chapter 3", "confidence": "4"}, nil)},
	{"checkin 2 100% confidence:5 done!", want("checkin", A{"n": "2", "percent": "100", "note": "done!", "confidence": "5"}, nil)},
	{"keep", want("keep", nil, nil)},
	{"reflect I learned that outlining first makes essays easier", want("reflect", A{"text": "I learned that outlining first makes essays easier"}, nil)},
	{`reflect @everyone <!channel> {"$gt": ""} <@U1>`, want("reflect", A{"text": `@everyone <!channel> {"$gt": ""} <@U1>`}, nil)},
	{"reflect line one\n\tline two", want("reflect", A{"text": "line one\n\tline two"}, nil)},
	{"snooze", want("snooze", A{}, nil)},
	{"dashboard", want("dashboard", A{}, nil)},
	{"export", want("export", nil, nil)},
	{"export @sam", want("export", nil, U{"user": who("sam")})},
	{"export <@U024BE7LH|sam>", want("export", nil, U{"user": {{UserID: "U024BE7LH", Name: "sam"}}})},
	{"away until 2027-01-10 family trip", want("away set", A{"until": "true", "date": "2027-01-10", "note": "family trip"}, nil)},
	{"away @sam until 2027-01-10", want("away set", A{"until": "true", "date": "2027-01-10"}, U{"user": who("sam")})},
	{"away set until 2027-01-10", want("away set", A{"until": "true", "date": "2027-01-10"}, nil)},
	{"away off", want("away off", nil, nil)},
	{"away off @sam", want("away off", nil, U{"user": who("sam")})},
	{"class create Period 3 English", want("class create", A{"name": "Period 3 English"}, nil)},
	{"class add @sam @alex", want("class add", nil, U{"users": who("sam", "alex")})},
	{"class add @sam, <@80351110224678912> class:Period 3 English", want("class add", A{"class": "Period 3 English"},
		U{"users": {{Platform: bot.Console, UserID: "sam", Name: "sam"}, {UserID: "80351110224678912"}}})},
	{"class add sam@school.org, alex@school.org class:Art", want("class add", A{"list": "sam@school.org, alex@school.org", "class": "Art"}, nil)},
	{"class add @sam jo kit", want("class add", A{"list": "jo kit"}, U{"users": who("sam")})},
	{"class create Period 3 English term:Fall 2026", want("class create", A{"name": "Period 3 English", "term": "Fall 2026"}, nil)},
	{"class sync", want("class sync", nil, nil)},
	{"class sync role:<@&80351110224678912> class:Art", want("class sync", A{"role": "80351110224678912", "class": "Art"}, nil)},
	{"class term Fall 2026 class:Art", want("class term", A{"term": "Fall 2026", "class": "Art"}, nil)},
	{"class remove @sam", want("class remove", nil, U{"user": who("sam")})},
	{"class remove @sam class:Art", want("class remove", A{"class": "Art"}, U{"user": who("sam")})},
	{"class list", want("class list", nil, nil)},
	{"roster", want("roster", nil, nil)},
	{"roster Period 3 English", want("roster", A{"class": "Period 3 English"}, nil)},
	{"student @sam", want("student", nil, U{"user": who("sam")})},
	{"student <@!80351110224678912> since:2026-09-01", want("student", A{"since": "2026-09-01"}, U{"user": {{UserID: "80351110224678912"}}})},
	{"feedback @sam 1 Great pace — try a harder book next", want("feedback", A{"n": "1", "text": "Great pace — try a harder book next"}, U{"user": who("sam")})},
	{"conference @sam 2027-01-12 10:30 goals check", want("conference schedule", A{"date": "2027-01-12", "time": "10:30", "agenda": "goals check"}, U{"user": who("sam")})},
	{"conference schedule @sam 2027-01-12 9:05", want("conference schedule", A{"date": "2027-01-12", "time": "09:05"}, U{"user": who("sam")})},
	{"conference @sam 2027-01-12 3pm", want("conference schedule", A{"date": "2027-01-12", "time": "15:00"}, U{"user": who("sam")})},
	{"conference @sam every 1w tue 10:30 mentoring check-in", want("conference repeat", A{"every": "true", "interval": "1w", "day": "tue", "time": "10:30", "agenda": "mentoring check-in"}, U{"user": who("sam")})},
	{"conference repeat @sam every 2W Fri 9:05", want("conference repeat", A{"every": "true", "interval": "2w", "day": "fri", "time": "09:05"}, U{"user": who("sam")})},
	{"conference end 4", want("conference end", A{"id": "4"}, nil)},
	{"conference list", want("conference list", nil, nil)},
	{"conference agenda I want help choosing electives", want("conference agenda", A{"text": "I want help choosing electives"}, nil)},
	{"conference done 4 Agreed on two new steps", want("conference done", A{"id": "4", "notes": "Agreed on two new steps"}, nil)},
	{"conference done 4", want("conference done", A{"id": "4"}, nil)},
	{"conference cancel 4", want("conference cancel", A{"id": "4"}, nil)},
	{"schedule", want("schedule show", nil, nil)},
	{"schedule class:Period 3", want("schedule show", A{"class": "Period 3"}, nil)},
	{`schedule reflections "0 14 * * FRI"`, want("schedule reflections", A{"when": "0 14 * * FRI"}, nil)},
	{`schedule summaries "0 15 * * FRI" class:Period 3`, want("schedule summaries", A{"when": "0 15 * * FRI", "class": "Period 3"}, nil)},
	{"flag @sam iep reading support", want("flag", A{"kind": "iep", "note": "reading support"}, U{"user": who("sam")})},
	{"flag @sam 504", want("flag", A{"kind": "504"}, U{"user": who("sam")})},
	{"role @ms.lee Teacher", want("role", A{"role": "teacher"}, U{"user": who("ms.lee")})},
	{"role @sam student grade:09", want("role", A{"role": "student", "grade": "09"}, U{"user": who("sam")})},
	{"caseload", want("caseload", nil, nil)},
	{"caseload @mx.rivera", want("caseload", nil, U{"user": who("mx.rivera")})},
	{"caseload @mx.rivera grade:9", want("caseload", A{"grade": "9"}, U{"user": who("mx.rivera")})},
	{"caseload @mx.rivera last:A-L grade:10", want("caseload", A{"last": "A-L", "grade": "10"}, U{"user": who("mx.rivera")})},
	{"caseload @mx.rivera add @sam @alex", want("caseload", A{"change": "add"}, U{"user": who("mx.rivera"), "users": who("sam", "alex")})},
	{"caseload @mx.rivera remove @sam", want("caseload", A{"change": "remove"}, U{"user": who("mx.rivera"), "users": who("sam")})},
	{"caseload @mx.rivera Remove last:A-L", want("caseload", A{"change": "remove", "last": "A-L"}, U{"user": who("mx.rivera")})},
	{"term list", want("term list", nil, nil)},
	{"term add Fall 2026 2026-08-24 2026-12-18", want("term add", A{"name": "Fall 2026 2026-08-24 2026-12-18"}, nil)},
	{"term add S1 from:2026-08-24 to:2027-01-22", want("term add", A{"name": "S1", "from": "2026-08-24", "to": "2027-01-22"}, nil)},
	{"link @sam s-1042", want("link", A{"sourcedid": "s-1042"}, U{"user": who("sam")})},
	{"import", want("import", nil, nil)},
	{"import apply 3f9a1c2b7d04", want("import", A{"apply": "true", "what": "3f9a1c2b7d04"}, nil)},
	{"import /home/office/lincoln 2026.zip", want("import", A{"what": "/home/office/lincoln 2026.zip"}, nil)},
	{"forget @sam", want("forget", nil, U{"user": who("sam")})},
	{"audit @sam since:2026-09-01 page:2", want("audit", A{"since": "2026-09-01", "page": "2"}, U{"user": who("sam")})},
	{"forget @sam confirm", want("forget", A{"confirm": "true"}, U{"user": who("sam")})},
}

func TestParseEveryCommand(t *testing.T) {
	g := handlers.Grammar()
	covered := map[string]bool{}
	for _, tt := range parseCases {
		got, err := g.Parse(tt.line)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.line, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q)\n got  %s %q %v\n want %s %q %v", tt.line, got.Name(), got.Args, got.Users, tt.want.Name(), tt.want.Args, tt.want.Users)
		}
		covered[got.Name()] = true
	}
	for _, path := range leaves(g) {
		if !covered[path] {
			t.Errorf("no parse case for %q", path)
		}
	}
}

// TestExamplesParse checks the grammar's data: every example must parse to
// its own command, so help never shows a line that fails.
func TestExamplesParse(t *testing.T) {
	g := handlers.Grammar()
	var walk func(path []string, cmds []*grammar.Command)
	walk = func(path []string, cmds []*grammar.Command) {
		for _, c := range cmds {
			p := append(append([]string(nil), path...), c.Name)
			for _, ex := range c.Examples {
				inv, err := g.Parse(ex)
				if err != nil {
					t.Errorf("example %q of %q: %v", ex, strings.Join(p, " "), err)
				} else if !strings.HasPrefix(inv.Name(), strings.Join(p, " ")) {
					t.Errorf("example %q parses as %q, want %q", ex, inv.Name(), strings.Join(p, " "))
				}
			}
			walk(p, c.Sub)
		}
	}
	walk(nil, g.Commands)
}

// leaves lists the path of every runnable command.
func leaves(g *grammar.Grammar) []string {
	var out []string
	var walk func(path []string, cmds []*grammar.Command)
	walk = func(path []string, cmds []*grammar.Command) {
		for _, c := range cmds {
			p := append(append([]string(nil), path...), c.Name)
			if len(c.Sub) == 0 {
				out = append(out, strings.Join(p, " "))
			}
			walk(p, c.Sub)
		}
	}
	walk(nil, g.Commands)
	return out
}

func TestParseErrors(t *testing.T) {
	g := handlers.Grammar()
	tests := []struct {
		name  string
		line  string
		parts []string // each must appear in the plain message
		usage string   // the exact usage line
		field string
	}{
		{"unknown command", "chekin 1 40%", []string{"I don't know `/plp chekin`. Did you mean `/plp checkin`?"}, "/plp checkin N PCT% [note] [confidence:1-5]", ""},
		{"unknown, no suggestion", "xyzzy", []string{"I don't know `/plp xyzzy`."}, "/plp help [command]", ""},
		{"unknown subcommand", "goal ad Read", []string{"Did you mean `/plp goal add`?"}, "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]", ""},
		{"unknown sub under default group", "conference lst", []string{"Did you mean `/plp conference list`?"}, "/plp conference list", ""},
		{"sub that fits another", "profile interests robotics", []string{"Did you mean `/plp profile set interests robotics`?"}, "/plp profile set FIELD TEXT", ""},
		{"group alone", "goal", []string{"`/plp goal` needs one more word: add, list, show, done, drop, pause, resume or edit."}, "/plp goal add|list|show|done|drop|pause|resume|edit", ""},
		{"group alone, default fails", "away", []string{"`/plp away` needs a little more"}, "/plp away [@user] until YYYY-MM-DD [note] · /plp away off", ""},
		{"group alone, staff default", "conference", []string{"`/plp conference` needs a little more"}, "/plp conference @user YYYY-MM-DD HH:MM [agenda] · /plp conference @user every 1w|2w DAY HH:MM [agenda] · /plp conference list|agenda|done|cancel|end", ""},
		{"misspelt default name", "conference shedule @sam 2027-01-12 10:30", []string{"I don't know `/plp conference shedule`. Did you mean `/plp conference @sam 2027-01-12 10:30`?"}, "/plp conference @user YYYY-MM-DD HH:MM [agenda]", ""},
		{"misspelt default, no args", "profile shw", []string{"Did you mean `/plp profile`?"}, "/plp profile", ""},
		{"misspelt default, positional", "away sat until 2027-01-10", []string{"Did you mean `/plp away until 2027-01-10`?"}, "/plp away [@user] until YYYY-MM-DD [note]", ""},
		{"missing number", "goal done", []string{"`/plp goal done` needs N — goal number"}, "/plp goal done N", "n"},
		{"missing percent", "checkin 1", []string{"needs PCT%"}, "/plp checkin N PCT% [note] [confidence:1-5]", "percent"},
		{"missing text", "reflect", []string{"`/plp reflect` needs TEXT"}, "/plp reflect TEXT", "text"},
		{"missing title", "goal add by:2027-05-30", []string{"needs TITLE"}, "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]", "title"},
		{"missing user", "student", []string{"needs @user"}, "/plp student @user [since:YYYY-MM-DD]", "user"},
		{"missing user", "class remove class:Art", []string{"needs @user"}, "/plp class remove @user [class:TEXT]", "user"},
		{"missing literal", "away @sam 2027-01-10", []string{"I expected the word until here, not 2027-01-10"}, "/plp away [@user] until YYYY-MM-DD [note]", "until"},
		{"not a number", "goal done two", []string{"two isn't a number", "from 1 up"}, "/plp goal done N", "n"},
		{"zero", "goal drop 0", []string{"0 isn't a number"}, "/plp goal drop N", "n"},
		{"huge", "goal drop 99999999999999999999", []string{"isn't a number"}, "/plp goal drop N", "n"},
		{"negative", "conference cancel -4", []string{"-4 isn't a number"}, "/plp conference cancel ID", "id"},
		{"bad step", "step done 1", []string{"1 isn't a step number", "1.2"}, "/plp step done N.M", "step"},
		{"step zero", "step done 1.0", []string{"count from 1"}, "/plp step done N.M", "step"},
		{"percent over", "checkin 1 140%", []string{"140% is more than 100%"}, "/plp checkin N PCT% [note] [confidence:1-5]", "percent"},
		{"percent text", "checkin 1 half", []string{"half isn't a percent"}, "/plp checkin N PCT% [note] [confidence:1-5]", "percent"},
		{"percent fraction", "checkin 1 40.5%", []string{"isn't a percent"}, "/plp checkin N PCT% [note] [confidence:1-5]", "percent"},
		{"date not real", "goal add Run by:2027-02-30", []string{"That date doesn't exist: 2027-02-30"}, "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]", "by"},
		{"date shape", "goal add Run by:next-week", []string{"next-week isn't a date", "YYYY-MM-DD"}, "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]", "by"},
		{"date US style", "student @sam since:09/01/2026", []string{"Which day is 09/01/2026? I read dates as YYYY-MM-DD: for 1 September 2026, type `/plp student @sam since:2026-09-01`; for 9 January 2026, `since:2026-01-09`."}, "/plp student @user [since:YYYY-MM-DD]", "since"},
		{"date other order", "student @sam since:13/9/2026", []string{"I read dates as YYYY-MM-DD: for 13 September 2026, type `/plp student @sam since:2026-09-13`."}, "/plp student @user [since:YYYY-MM-DD]", "since"},
		{"date words", "student @sam since:yesterday", []string{"yesterday isn't a date I can read. Write it as YYYY-MM-DD"}, "/plp student @user [since:YYYY-MM-DD]", "since"},
		{"date positional", "away until 2027-04-31", []string{"That date doesn't exist: 2027-04-31"}, "/plp away [@user] until YYYY-MM-DD [note]", "date"},
		{"time", "conference @sam 2027-01-12 25:00", []string{"I couldn't read that time: 25:00", "Try 15:00 or 3pm."}, "/plp conference @user YYYY-MM-DD HH:MM [agenda]", "time"},
		{"time minutes", "conference @sam 2027-01-12 10:75", []string{"I couldn't read that time: 10:75"}, "/plp conference @user YYYY-MM-DD HH:MM [agenda]", "time"},
		{"range", "checkin 1 40% confidence:9", []string{"9 doesn't fit confidence", "from 1 to 5"}, "/plp checkin N PCT% [note] [confidence:1-5]", "confidence"},
		{"choice suggest", "goal add Run category:acadmic", []string{"acadmic isn't a category", "Did you mean academic?", "academic, personal or career"}, "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]", "category"},
		{"choice positional", "role @sam boss", []string{"boss isn't a role", "student, teacher, counselor or admin"}, "/plp role @user student|teacher|counselor|admin [grade:GRADE]", "role"},
		{"choice field", "profile set intrests robots", []string{"Did you mean interests?"}, "/plp profile set FIELD TEXT", "field"},
		{"title too long", "goal add " + strings.Repeat("é", 201), []string{"title is 201 characters long; the limit is 200"}, "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]", "title"},
		{"text too long", "reflect " + strings.Repeat("ab ", 700), []string{"2099 characters long; the limit is 2000"}, "/plp reflect TEXT", "text"},
		{"keyed text too long", "goal edit 1 tag:" + strings.Repeat("x", 101), []string{"tag is 101 characters long; the limit is 100"}, "/plp goal edit N [title:TEXT] [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT] [tag:TEXT]", "tag"},
		{"control char", "reflect a\x07b", []string{"hidden character"}, "/plp reflect TEXT", "text"},
		{"escape char", "goal add a\x1b[31mred", []string{"hidden character"}, "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]", "title"},
		{"markup marker", "reflect sneaky \ue000bold\ue001", []string{"hidden character"}, "/plp reflect TEXT", "text"},
		{"invalid utf-8", "reflect a\xffb", []string{"can't read"}, "/plp reflect TEXT", "text"},
		{"everyone", "class add @everyone", []string{"@everyone means a whole group, not one person"}, "/plp class add [@user…] [list] [class:TEXT]", "users"},
		{"here", "student @here", []string{"@here means a whole group"}, "/plp student @user [since:YYYY-MM-DD]", "user"},
		{"slack channel", "class add @sam <!channel>", []string{"<!channel> means a whole group"}, "/plp class add [@user…] [list] [class:TEXT]", "users"},
		{"slack here", "export <!here>", []string{"<!here> means a whole group"}, "/plp export [@user]", "user"},
		{"discord role", "role <@&123> admin", []string{"That's a role, not a person"}, "/plp role @user student|teacher|counselor|admin [grade:GRADE]", "user"},
		{"not a mention", "conference sam 2027-01-12 10:00", []string{"I need a person here, such as @sam — sam isn't a mention"}, "/plp conference @user YYYY-MM-DD HH:MM [agenda]", "user"},
		{"extra words", "plan now please", []string{"I didn't expect now please after `/plp plan`"}, "/plp plan", ""},
		{"extra after default", "profile show more", []string{"I didn't expect more after `/plp profile`"}, "/plp profile", ""},
		{"duplicate key", "goal add x by:2027-01-01 by:2027-01-02", []string{"You gave by: twice"}, "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]", "by"},
		{"empty key", "goal add x why:", []string{"Add a value after why:"}, "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]", "why"},
		{"two users for one", "student @sam @alex", []string{"I didn't expect @alex"}, "/plp student @user [since:YYYY-MM-DD]", ""},
		{"forget wrong word", "forget @sam yes", []string{"I didn't expect yes"}, "/plp forget @user [confirm]", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := g.Parse(tt.line)
			if err == nil {
				t.Fatalf("Parse(%q) = %s %q, want an error", tt.line, inv.Name(), inv.Args)
			}
			ue, ok := bot.AsUserError(err)
			if !ok {
				t.Fatalf("Parse(%q) error %T %v, want *bot.UserError", tt.line, err, err)
			}
			msg := bot.Format(ue.Message, bot.PlainDialect)
			for _, p := range tt.parts {
				if !strings.Contains(msg, p) {
					t.Errorf("message %q lacks %q", msg, p)
				}
			}
			if ue.Code != bot.EInvalid {
				t.Errorf("code = %s, want %s", ue.Code, bot.EInvalid)
			}
			if ue.Usage != tt.usage {
				t.Errorf("usage = %q, want %q", ue.Usage, tt.usage)
			}
			if ue.Field != tt.field {
				t.Errorf("field = %q, want %q", ue.Field, tt.field)
			}
			if !strings.Contains(ue.Hint, "`/plp ") {
				t.Errorf("hint = %q, want an exact command", ue.Hint)
			}
		})
	}
}

// TestErrorsEscapeUserText: a bad value echoed in a message is a User span,
// so an adapter escapes it and it can never ping a channel.
func TestErrorsEscapeUserText(t *testing.T) {
	g := handlers.Grammar()
	_, err := g.Parse("goal done <!channel>")
	ue, _ := bot.AsUserError(err)
	if ue == nil {
		t.Fatal("want a UserError")
	}
	slackish := bot.Dialect{
		Escape: func(s string) string { return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(s) },
		Bold:   func(s string) string { return "*" + s + "*" },
		Italic: func(s string) string { return "_" + s + "_" },
	}
	if got := bot.Format(ue.Message, slackish); strings.Contains(got, "<!channel>") || !strings.Contains(got, "&lt;!channel&gt;") {
		t.Errorf("rendered %q, want the mention escaped", got)
	}
}

func TestBind(t *testing.T) {
	g := handlers.Grammar()
	sam := []bot.Identity{{UserID: "80351110224678912", Name: "Sam"}}
	tests := []struct {
		path  string
		args  A
		users U
		want  *bot.Invocation
	}{
		{"checkin", A{"n": "2", "percent": "50%", "note": "", "confidence": "3"}, nil, want("checkin", A{"n": "2", "percent": "50", "confidence": "3"}, nil)},
		{"goal add", A{"title": "  Run a 5k  ", "category": "Personal", "by": "2027-5-1", "why": "line\nbreak"}, nil,
			want("goal add", A{"title": "Run a 5k", "category": "personal", "by": "2027-05-01", "why": "line\nbreak"}, nil)},
		{"conference schedule", A{"date": "2027-01-12", "time": "9:30"}, U{"user": sam}, want("conference schedule", A{"date": "2027-01-12", "time": "09:30"}, U{"user": sam})},
		{"away set", A{"date": "2027-01-10"}, nil, want("away set", A{"until": "true", "date": "2027-01-10"}, nil)},
		{"forget", A{"confirm": "true"}, U{"user": sam}, want("forget", A{"confirm": "true"}, U{"user": sam})},
		{"forget", A{"confirm": "false"}, U{"user": sam}, want("forget", nil, U{"user": sam})},
		{"class add", A{"users": "@sam @alex"}, nil, want("class add", nil, U{"users": who("sam", "alex")})},
		{"Goal List", nil, nil, want("goal list", nil, nil)},
		{"student", nil, U{"user": {{UserID: "42", Name: "Sam\u0007\ue000"}}}, want("student", nil, U{"user": {{UserID: "42", Name: "Sam"}}})},
	}
	for _, tt := range tests {
		got, err := g.Bind(strings.Fields(tt.path), tt.args, tt.users)
		if err != nil {
			t.Errorf("Bind(%s, %v): %v", tt.path, tt.args, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Bind(%s)\n got  %v %q %v\n want %v %q %v", tt.path, got.Path, got.Args, got.Users, tt.want.Path, tt.want.Args, tt.want.Users)
		}
	}
}

func TestBindErrors(t *testing.T) {
	g := handlers.Grammar()
	tests := []struct {
		path  string
		args  A
		users U
		field string
		part  string
	}{
		{"checkin", A{"n": "2"}, nil, "percent", "needs PCT%"},
		{"checkin", A{"n": "2", "percent": "101"}, nil, "percent", "101 is more than 100%"},
		{"goal add", A{"title": "x", "by": "2027-02-29"}, nil, "by", "That date doesn't exist: 2027-02-29"},
		{"goal add", A{"title": strings.Repeat("x", 201)}, nil, "title", "limit is 200"},
		{"goal add", A{"title": "x", "colour": "red"}, nil, "colour", "has no option colour"},
		{"student", nil, nil, "user", "needs @user"},
		{"student", nil, U{"user": {{UserID: "1"}, {UserID: "2"}}}, "user", "just one person"},
		{"student", nil, U{"user": {{UserID: ""}}}, "user", "couldn't tell who"},
		{"student", nil, U{"user": {{UserID: "1\n2"}}}, "user", "couldn't tell who"},
		{"student", A{"user": "@everyone"}, nil, "user", "whole group"},
		{"plan", nil, U{"who": sam()}, "who", "has no person option"},
		{"forget", A{"confirm": "maybe"}, U{"user": sam()}, "confirm", "true or false"},
	}
	for _, tt := range tests {
		_, err := g.Bind(strings.Fields(tt.path), tt.args, tt.users)
		ue, ok := bot.AsUserError(err)
		if !ok {
			t.Errorf("Bind(%s, %v) = %v, want a UserError", tt.path, tt.args, err)
			continue
		}
		if msg := bot.Format(ue.Message, bot.PlainDialect); !strings.Contains(msg, tt.part) || ue.Field != tt.field || ue.Usage == "" {
			t.Errorf("Bind(%s, %v) = %q field %q usage %q; want %q field %q", tt.path, tt.args, msg, ue.Field, ue.Usage, tt.part, tt.field)
		}
	}
	for _, path := range [][]string{{"goal"}, {"gaol", "add"}, nil} {
		if _, err := g.Bind(path, nil, nil); err == nil {
			t.Errorf("Bind(%q) succeeded, want an error", path)
		} else if ue, ok := bot.AsUserError(err); !ok || ue.Message == "" {
			t.Errorf("Bind(%q) = %v, want a UserError", path, err)
		}
	}
}

func sam() []bot.Identity { return []bot.Identity{{UserID: "U1", Name: "sam"}} }

func TestUsage(t *testing.T) {
	g := handlers.Grammar()
	tests := []struct{ path, want string }{
		{"goal add", "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]"},
		{"checkin", "/plp checkin N PCT% [note] [confidence:1-5]"},
		{"step done", "/plp step done N.M"},
		{"conference schedule", "/plp conference @user YYYY-MM-DD HH:MM [agenda]"},
		{"away set", "/plp away [@user] until YYYY-MM-DD [note]"},
		{"class add", "/plp class add [@user…] [list] [class:TEXT]"},
		{"flag", "/plp flag @user iep|504|other [note]"},
		{"role", "/plp role @user student|teacher|counselor|admin [grade:GRADE]"},
		{"forget", "/plp forget @user [confirm]"},
		{"profile set", "/plp profile set FIELD TEXT"},
		{"step", "/plp step add|done"},
		{"away", "/plp away [@user] until YYYY-MM-DD [note] · /plp away off"},
		{"profile", "/plp profile · /plp profile set"},
		{"schedule", "/plp schedule [class:TEXT] · /plp schedule reflections|summaries"},
		{"profile show", "/plp profile"},
		{"GOAL DONE", "/plp goal done N"},
		{"nope", ""},
	}
	for _, tt := range tests {
		if got := g.Usage(strings.Fields(tt.path)); got != tt.want {
			t.Errorf("Usage(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestIsCommand(t *testing.T) {
	g := handlers.Grammar()
	tests := []struct {
		text string
		want bool
	}{
		{"checkin", true},
		{"Goal add Read", true},
		{"/plp plan", true},
		{"I finished chapter 3 today", false},
		{"planning is hard", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := g.IsCommand(tt.text); got != tt.want {
			t.Errorf("IsCommand(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestFind(t *testing.T) {
	g := handlers.Grammar()
	if c := g.Find("goal", "add"); c == nil || c.Name != "add" {
		t.Errorf("Find(goal add) = %v", c)
	}
	if c := g.Find("goal", "nope"); c != nil {
		t.Errorf("Find(goal nope) = %v, want nil", c)
	}
}

// TestParseTimesPeopleType: every form of a time people type reads as
// HH:MM, an am/pm word after the time belongs to the time (not the
// agenda), and the same reader serves standing 1:1s.
func TestParseTimesPeopleType(t *testing.T) {
	g := handlers.Grammar()
	sam := U{"user": who("sam")}
	tests := []struct {
		line string
		want *bot.Invocation
	}{
		{"conference @ana 2026-12-10 3:00 PM agenda", want("conference schedule", A{"date": "2026-12-10", "time": "15:00", "agenda": "agenda"}, U{"user": who("ana")})},
		{"conference @sam 2026-12-10 15:00", want("conference schedule", A{"date": "2026-12-10", "time": "15:00"}, sam)},
		{"conference @sam 2026-12-10 3pm", want("conference schedule", A{"date": "2026-12-10", "time": "15:00"}, sam)},
		{"conference @sam 2026-12-10 3 PM", want("conference schedule", A{"date": "2026-12-10", "time": "15:00"}, sam)},
		{"conference @sam 2026-12-10 3 pm goals", want("conference schedule", A{"date": "2026-12-10", "time": "15:00", "agenda": "goals"}, sam)},
		{"conference @sam 2026-12-10 3:30pm", want("conference schedule", A{"date": "2026-12-10", "time": "15:30"}, sam)},
		{"conference @sam 2026-12-10 3.30pm", want("conference schedule", A{"date": "2026-12-10", "time": "15:30"}, sam)},
		{"conference @sam 2026-12-10 10 a.m. reading plan", want("conference schedule", A{"date": "2026-12-10", "time": "10:00", "agenda": "reading plan"}, sam)},
		{"conference @sam 2026-12-10 9:15 AM", want("conference schedule", A{"date": "2026-12-10", "time": "09:15"}, sam)},
		{"conference @sam 2026-12-10 noon lunch chat", want("conference schedule", A{"date": "2026-12-10", "time": "12:00", "agenda": "lunch chat"}, sam)},
		{"conference @sam 2026-12-10 12 noon", want("conference schedule", A{"date": "2026-12-10", "time": "12:00"}, sam)},
		{"conference @sam 2026-12-10 midnight", want("conference schedule", A{"date": "2026-12-10", "time": "00:00"}, sam)},
		{"conference @sam 2026-12-10 3:00 pmish", want("conference schedule", A{"date": "2026-12-10", "time": "03:00", "agenda": "pmish"}, sam)},
		{"conference @sam every 1w tue 3:30pm", want("conference repeat", A{"every": "true", "interval": "1w", "day": "tue", "time": "15:30"}, sam)},
		{"conference @sam every 1w tue 3:30 PM mentoring", want("conference repeat", A{"every": "true", "interval": "1w", "day": "tue", "time": "15:30", "agenda": "mentoring"}, sam)},
		{"conference @sam every 2w fri noon", want("conference repeat", A{"every": "true", "interval": "2w", "day": "fri", "time": "12:00"}, sam)},
	}
	for _, tt := range tests {
		got, err := g.Parse(tt.line)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.line, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q)\n got  %s %q %v\n want %s %q %v", tt.line, got.Name(), got.Args, got.Users, tt.want.Name(), tt.want.Args, tt.want.Users)
		}
	}
	// Structured input (a Discord option, a form field) reads the same.
	for in, out := range map[string]string{"3:00 PM": "15:00", "3 pm": "15:00", "noon": "12:00", "15:00": "15:00"} {
		inv, err := g.Bind([]string{"conference", "schedule"}, A{"date": "2026-12-10", "time": in}, sam)
		if err != nil || inv.Arg("time") != out {
			t.Errorf("Bind(time %q) = %v, %v; want %s", in, inv, err, out)
		}
	}
}

// TestParseTimeErrors: a time that can't be read is refused with an
// example, on every command that takes one.
func TestParseTimeErrors(t *testing.T) {
	g := handlers.Grammar()
	tests := []struct{ line, want string }{
		{"conference @sam 2026-12-10 25:00", "I couldn't read that time: 25:00 (hours run from 0 to 23). Try 15:00 or 3pm."},
		{"conference @sam 2026-12-10 13pm", "I couldn't read that time: 13pm (with am or pm, the hour runs from 1 to 12). Try 15:00 or 3pm."},
		{"conference @sam 2026-12-10 3:75", "I couldn't read that time: 3:75 (minutes run from 00 to 59). Try 15:00 or 3pm."},
		{"conference @sam 2026-12-10 half past three", "I couldn't read that time: half past three. Try 15:00 or 3pm."},
		{"conference @sam 2026-12-10 3 goals", "Is 3 in the morning or the afternoon? Try 15:00 or 3pm."},
		{"conference @sam every 1w tue 25:00", "I couldn't read that time: 25:00"},
		{"conference @sam every 1w tue 13 pm", "I couldn't read that time: 13 pm (with am or pm"},
	}
	for _, tt := range tests {
		_, err := g.Parse(tt.line)
		ue, ok := bot.AsUserError(err)
		if !ok {
			t.Errorf("Parse(%q) = %v, want a UserError", tt.line, err)
			continue
		}
		if msg := bot.Format(ue.Message, bot.PlainDialect); !strings.Contains(msg, tt.want) || ue.Field != "time" || ue.Usage == "" {
			t.Errorf("Parse(%q) = %q (field %q), want %q on time", tt.line, msg, ue.Field, tt.want)
		}
	}
}

// TestParseScheduleSpecs: /plp schedule reads specs as the scheduler does
// (plpbot.ParseSchedule): day names spelled out, quotes optional when
// nothing follows, and errors that explain the five fields, in full.
func TestParseScheduleSpecs(t *testing.T) {
	g := handlers.Grammar()
	for _, tt := range []struct{ line, when string }{
		{`schedule reflections "0 14 * * FRIDAY"`, "0 14 * * FRIDAY"},
		{`schedule reflections "30 8 * * Monday-Friday"`, "30 8 * * Monday-Friday"},
		{`schedule reflections 0 14 * * FRI`, "0 14 * * FRI"},
		{`schedule summaries 0 15 * * fri class:Period 3`, "0 15 * * fri"},
		{`schedule reflections "CRON_TZ=America/Chicago 0 14 * * FRI"`, "CRON_TZ=America/Chicago 0 14 * * FRI"},
		{`schedule reflections @weekly`, "@weekly"},
	} {
		inv, err := g.Parse(tt.line)
		if err != nil || inv.Arg("when") != tt.when {
			t.Errorf("Parse(%q) = %v, %v; want when %q", tt.line, inv, err, tt.when)
		}
	}
	for _, tt := range []struct{ line, want string }{
		{`schedule reflections "0 14 * * FRIDY"`, `The weekday (5th field) can't be "FRIDY": use 0–6 or MON–SUN.`},
		{`schedule reflections "0 14 * *"`, `"0 14 * *" has 4 field(s), not 5.`},
		{`schedule reflections "0 25 * * FRI"`, `The hour (2nd field) can't be "25"`},
		{`schedule reflections "CRON_TZ=EST 0 14 * * FRI"`, "EST has no daylight saving. Did you mean America/New_York?"},
		{`schedule reflections "@every 1s"`, `I don't know "@every 1s".`},
	} {
		_, err := g.Parse(tt.line)
		ue, ok := bot.AsUserError(err)
		if !ok {
			t.Errorf("Parse(%q) = %v, want a UserError", tt.line, err)
			continue
		}
		msg := bot.Format(ue.Message, bot.PlainDialect)
		if !strings.Contains(msg, tt.want) || ue.Field != "when" {
			t.Errorf("Parse(%q) = %q (field %q), want %q", tt.line, msg, ue.Field, tt.want)
		}
		// The five fields explained, with an example, in quotes, whole.
		if !strings.HasSuffix(msg, `"0 14 * * FRI" is Fridays at 14:00; "30 8 * * MON-FRI" is school days at 08:30.`) ||
			!strings.Contains(msg, "five fields in quotes") || strings.Contains(msg, "…") || strings.Contains(msg, "strconv") {
			t.Errorf("Parse(%q) = %q, want the whole explanation of the five fields", tt.line, msg)
		}
	}
}

// TestParseKeyedDates: a date written after by, due or since without a
// colon is the date, not part of the title; when it could be either, the
// reply gives the exact command to type.
func TestParseKeyedDates(t *testing.T) {
	g := handlers.Grammar()
	tests := []struct {
		line string
		want *bot.Invocation
	}{
		{"goal add Read three novels by 2027-03-01", want("goal add", A{"title": "Read three novels", "by": "2027-03-01"}, nil)},
		{"goal add Read three novels by: 2027-03-01", want("goal add", A{"title": "Read three novels", "by": "2027-03-01"}, nil)},
		{"goal add Read three novels By 2027-3-1", want("goal add", A{"title": "Read three novels", "by": "2027-03-01"}, nil)},
		{"goal add Read three novels due 2027-03-01", want("goal add", A{"title": "Read three novels", "by": "2027-03-01"}, nil)},
		{"goal add Read three novels due: 2027-03-01", want("goal add", A{"title": "Read three novels", "by": "2027-03-01"}, nil)},
		{"goal add Read three novels due:2027-03-01", want("goal add", A{"title": "Read three novels", "by": "2027-03-01"}, nil)},
		{"goal add Read three novels by 2027-03-01 category:academic", want("goal add", A{"title": "Read three novels", "by": "2027-03-01", "category": "academic"}, nil)},
		{"goal add Read three novels by 2027-03-01 why:I love stories", want("goal add", A{"title": "Read three novels", "by": "2027-03-01", "why": "I love stories"}, nil)},
		{"goal add Save $100 by summer", want("goal add", A{"title": "Save $100 by summer"}, nil)},
		{"goal add Run 5k by running 3 times a week", want("goal add", A{"title": "Run 5k by running 3 times a week"}, nil)},
		{`goal add "Finish the 2027-03-01 draft"`, want("goal add", A{"title": "Finish the 2027-03-01 draft"}, nil)},
		{`goal add "Read three novels by 2027-03-01"`, want("goal add", A{"title": "Read three novels by 2027-03-01"}, nil)},
		{"goal add Read three novels by 2027/03/01", want("goal add", A{"title": "Read three novels", "by": "2027-03-01"}, nil)},
		{"goal add Finish chapter by 3/1", want("goal add", A{"title": "Finish chapter by 3/1"}, nil)},
		{"goal edit 2 by 2027-06-15", want("goal edit", A{"n": "2", "by": "2027-06-15"}, nil)},
		{"goal edit 2 due 2027-06-15", want("goal edit", A{"n": "2", "by": "2027-06-15"}, nil)},
		{"goal edit 1 title:Read four novels by 2027-06-15", want("goal edit", A{"n": "1", "title": "Read four novels", "by": "2027-06-15"}, nil)},
		{"goal edit 1 why:I'm on a roll by 2027-06-15", want("goal edit", A{"n": "1", "why": "I'm on a roll", "by": "2027-06-15"}, nil)},
		{"student @sam since 2026-09-01", want("student", A{"since": "2026-09-01"}, U{"user": who("sam")})},
	}
	for _, tt := range tests {
		got, err := g.Parse(tt.line)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.line, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q)\n got  %s %q %v\n want %s %q %v", tt.line, got.Name(), got.Args, got.Users, tt.want.Name(), tt.want.Args, tt.want.Users)
		}
	}
}

// TestParseKeyedDatesAsk: a date that might belong to the title, or that
// isn't written as YYYY-MM-DD, is not guessed: the reply is the exact
// command to type.
func TestParseKeyedDatesAsk(t *testing.T) {
	g := handlers.Grammar()
	tests := []struct {
		line, field string
		parts       []string
	}{
		{"goal add Finish by 2027-03-01 the lab report", "by", []string{
			"Is 2027-03-01 the target date?", "`/plp goal add Finish the lab report by:2027-03-01`", `/plp goal add "Finish by 2027-03-01 the lab report"`}},
		{"goal add Read three novels 2027-03-01", "by", []string{
			"Is 2027-03-01 the target date?", "`/plp goal add Read three novels by:2027-03-01`", `/plp goal add "Read three novels 2027-03-01"`}},
		{"goal add Read three novels by 3/1/2027", "by", []string{
			"Which day is 3/1/2027? I read dates as YYYY-MM-DD: for 1 March 2027, type `/plp goal add Read three novels by:2027-03-01`; for 3 January 2027, `by:2027-01-03`."}},
		{"goal add Read three novels due 15/3/2027 why:fun", "by", []string{"I read dates as YYYY-MM-DD: for 15 March 2027, type `/plp goal add Read three novels by:2027-03-15 why:fun`."}},
		{"goal add Read three novels by 2027-02-30", "by", []string{"That date doesn't exist: 2027-02-30"}},
		{"goal add Read by:2027-03-01 by 2027-04-01", "by", []string{"You gave by: twice. Keep just one."}},
		{"goal add Finish by 3/1/2027 the lab report", "by", []string{
			"Is 3/1/2027 the target date? Then, for 1 March 2027, type `/plp goal add Finish the lab report by:2027-03-01`; for 3 January 2027, `by:2027-01-03`."}},
		{"goal edit 1 title:Finish by 2027-03-01 the report", "by", []string{"Is 2027-03-01 the new target date? Then type `/plp goal edit 1 title:Finish the report by:2027-03-01`."}},
		{"goal edit 2 by 3/1/2027", "by", []string{"for 1 March 2027, type `/plp goal edit 2 by:2027-03-01`"}},
		{"student @sam since 09/01/2026", "since", []string{"for 1 September 2026, type `/plp student @sam since:2026-09-01`"}},
		{"away until 3/1/2027 trip", "date", []string{"for 1 March 2027, type `/plp away until 2027-03-01 trip`"}},
	}
	for _, tt := range tests {
		inv, err := g.Parse(tt.line)
		ue, ok := bot.AsUserError(err)
		if !ok {
			t.Errorf("Parse(%q) = %v %v, want a UserError", tt.line, inv, err)
			continue
		}
		msg := bot.Format(ue.Message, bot.PlainDialect) + "\n" + ue.Hint
		for _, p := range tt.parts {
			if !strings.Contains(msg, p) {
				t.Errorf("Parse(%q) = %q, lacks %q", tt.line, msg, p)
			}
		}
		if ue.Field != tt.field || ue.Usage == "" {
			t.Errorf("Parse(%q) field %q usage %q, want field %q", tt.line, ue.Field, ue.Usage, tt.field)
		}
	}
}

// BenchmarkParseTime is a conference line with a two-word time.
func BenchmarkParseTime(b *testing.B) {
	g := handlers.Grammar()
	for b.Loop() {
		if _, err := g.Parse("conference @ana 2026-12-10 3:00 PM goals check"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseKeyedDatesWorst is the longest line made of "by DATE"
// pairs: keyed dates are found in one pass, not one per word.
func BenchmarkParseKeyedDatesWorst(b *testing.B) {
	g := handlers.Grammar()
	line := "goal add x " + strings.Repeat("by 2027-01-01 ", 600)
	for b.Loop() {
		g.Parse(line)
	}
}
