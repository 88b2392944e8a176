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
		ids = append(ids, bot.Identity{UserID: n, Name: n})
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
	{"reflect I learned that outlining first makes essays easier", want("reflect", A{"text": "I learned that outlining first makes essays easier"}, nil)},
	{`reflect @everyone <!channel> {"$gt": ""} <@U1>`, want("reflect", A{"text": `@everyone <!channel> {"$gt": ""} <@U1>`}, nil)},
	{"reflect line one\n\tline two", want("reflect", A{"text": "line one\n\tline two"}, nil)},
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
		U{"users": {{UserID: "sam", Name: "sam"}, {UserID: "80351110224678912"}}})},
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
		{"group alone", "goal", []string{"`/plp goal` needs one more word: add, list, done, drop, pause, resume or edit."}, "/plp goal add|list|done|drop|pause|resume|edit", ""},
		{"group alone, default fails", "away", []string{"needs one more word: set or off"}, "/plp away set|off", ""},
		{"missing number", "goal done", []string{"`/plp goal done` needs N — goal number"}, "/plp goal done N", "n"},
		{"missing percent", "checkin 1", []string{"needs PCT%"}, "/plp checkin N PCT% [note] [confidence:1-5]", "percent"},
		{"missing text", "reflect", []string{"`/plp reflect` needs TEXT"}, "/plp reflect TEXT", "text"},
		{"missing title", "goal add by:2027-05-30", []string{"needs TITLE"}, "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]", "title"},
		{"missing user", "student", []string{"needs @user"}, "/plp student @user [since:YYYY-MM-DD]", "user"},
		{"missing users", "class add class:Art", []string{"needs @user…"}, "/plp class add @user… [class:TEXT]", "users"},
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
		{"date US style", "student @sam since:09/01/2026", []string{"09/01/2026 isn't a date"}, "/plp student @user [since:YYYY-MM-DD]", "since"},
		{"date positional", "away until 2027-04-31", []string{"That date doesn't exist: 2027-04-31"}, "/plp away [@user] until YYYY-MM-DD [note]", "date"},
		{"time", "conference @sam 2027-01-12 25:00", []string{"25:00 isn't a time", "HH:MM"}, "/plp conference @user YYYY-MM-DD HH:MM [agenda]", "time"},
		{"time minutes", "conference @sam 2027-01-12 10:75", []string{"10:75 isn't a time"}, "/plp conference @user YYYY-MM-DD HH:MM [agenda]", "time"},
		{"range", "checkin 1 40% confidence:9", []string{"9 doesn't fit confidence", "from 1 to 5"}, "/plp checkin N PCT% [note] [confidence:1-5]", "confidence"},
		{"choice suggest", "goal add Run category:acadmic", []string{"acadmic isn't a category", "Did you mean academic?", "academic, personal or career"}, "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]", "category"},
		{"choice positional", "role @sam boss", []string{"boss isn't a role", "student, teacher, counselor or admin"}, "/plp role @user student|teacher|counselor|admin", "role"},
		{"choice field", "profile set intrests robots", []string{"Did you mean interests?"}, "/plp profile set FIELD TEXT", "field"},
		{"title too long", "goal add " + strings.Repeat("é", 201), []string{"title is 201 characters long; the limit is 200"}, "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]", "title"},
		{"text too long", "reflect " + strings.Repeat("ab ", 700), []string{"2099 characters long; the limit is 2000"}, "/plp reflect TEXT", "text"},
		{"keyed text too long", "goal edit 1 tag:" + strings.Repeat("x", 101), []string{"tag is 101 characters long; the limit is 100"}, "/plp goal edit N [title:TEXT] [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT] [tag:TEXT]", "tag"},
		{"control char", "reflect a\x07b", []string{"hidden character"}, "/plp reflect TEXT", "text"},
		{"escape char", "goal add a\x1b[31mred", []string{"hidden character"}, "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]", "title"},
		{"markup marker", "reflect sneaky \ue000bold\ue001", []string{"hidden character"}, "/plp reflect TEXT", "text"},
		{"invalid utf-8", "reflect a\xffb", []string{"can't read"}, "/plp reflect TEXT", "text"},
		{"everyone", "class add @everyone", []string{"@everyone means a whole group, not one person"}, "/plp class add @user… [class:TEXT]", "users"},
		{"here", "student @here", []string{"@here means a whole group"}, "/plp student @user [since:YYYY-MM-DD]", "user"},
		{"slack channel", "class add @sam <!channel>", []string{"<!channel> means a whole group"}, "/plp class add @user… [class:TEXT]", "users"},
		{"slack here", "export <!here>", []string{"<!here> means a whole group"}, "/plp export [@user]", "user"},
		{"discord role", "role <@&123> admin", []string{"That's a role, not a person"}, "/plp role @user student|teacher|counselor|admin", "user"},
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
		{"class add", "/plp class add @user… [class:TEXT]"},
		{"flag", "/plp flag @user iep|504|other [note]"},
		{"role", "/plp role @user student|teacher|counselor|admin"},
		{"forget", "/plp forget @user [confirm]"},
		{"profile set", "/plp profile set FIELD TEXT"},
		{"step", "/plp step add|done"},
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
