package handlers

import (
	"slices"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot/grammar"
)

// Goal categories, profile fields, roles and flag kinds people may type.
var (
	categories    = plpbot.Categories
	profileFields = append(slices.Clone(plpbot.ProfileFields), "shoutouts", "timezone")
	roleNames     = []string{string(plpbot.RoleStudent), string(plpbot.RoleTeacher), string(plpbot.RoleCounselor), string(plpbot.RoleAdmin)}
	flagKinds     = plpbot.FlagKinds
	goalFields    = []string{"title", "category", "by", "why", "tag"}
	intervals     = plpbot.Intervals
	weekdays      = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	// caseloadChanges are what an admin does to a caseload.
	caseloadChanges = []string{"add", "remove"}
)

// Grammar returns plpbot's command tree for reading: the one definition
// the parser, /plp help and Discord's command registration all read. Its
// commands are bound to no store: run them through the Handlers that New
// returns, whose Grammar is the same tree bound to them.
func Grammar() *grammar.Grammar { return (*Handlers)(nil).commands() }

// commands is the command tree with each command's function bound to h:
// adding a command is this one entry and its function.
func (h *Handlers) commands() *grammar.Grammar {
	num := func(name, desc string) grammar.Arg {
		return grammar.Arg{Name: name, Kind: grammar.ArgNumber, Description: desc, Required: true}
	}
	user := func(desc string) grammar.Arg {
		return grammar.Arg{Name: "user", Kind: grammar.ArgUser, Description: desc, Required: true}
	}
	text := func(name, desc string, required bool, max int) grammar.Arg {
		return grammar.Arg{Name: name, Kind: grammar.ArgText, Description: desc, Required: required, MaxLen: max}
	}
	keyed := func(a grammar.Arg) grammar.Arg { a.Keyed = true; return a }

	return &grammar.Grammar{Commands: []*grammar.Command{
		{Name: "help", Shows: true, Summary: "Show what you can do, or how one command works",
			Examples: []string{"help", "help checkin", "help " + grammar.AllTopic},
			Args:     []grammar.Arg{text("command", "The command to explain, such as checkin", false, 60)},
			Run:      h.cmdHelp},
		{Name: "plan", Shows: true, Summary: "See your whole plan: profile, goals, progress and next conference",
			Examples: []string{"plan"},
			Run:      h.cmdPlan},
		{Name: "dashboard", Summary: "Get a private link to your dashboard in the browser: charts, goals, classes",
			Help:     "The link works once, for 10 minutes, and only for you. Staff see their classes, who needs attention and each student's plan; students see their own plan.",
			Examples: []string{"dashboard"},
			Run:      h.cmdDashboard},
		{Name: "profile", Summary: "Your learner profile: interests, strengths, how you learn best",
			Help: profileHelp(), Examples: profileExamples(),
			Sub: []*grammar.Command{
				{Name: "show", Shows: true, Default: true, Summary: "Show your learner profile",
					Run: h.cmdProfileShow},
				{Name: "set", Summary: "Set one part of your profile",
					Help: profileHelp(), Examples: profileExamples(),
					Args: []grammar.Arg{
						{Name: "field", Kind: grammar.ArgChoice, Description: "Which part of your profile", Required: true, Choices: profileFields},
						text("text", "What to write there", true, plpbot.MaxTextLen),
					},
					Run: h.cmdProfileSet},
			}},
		{Name: "goal", Summary: "Add, list, show, finish, drop or edit your goals",
			Sub: []*grammar.Command{
				{Name: "add", Summary: "Add a goal",
					Examples: []string{"goal add Read three novels category:academic by:2027-05-30 why:I want to enjoy reading again"},
					Args: []grammar.Arg{
						text("title", "What you want to achieve", true, plpbot.MaxTitleLen),
						keyed(grammar.Arg{Name: "category", Kind: grammar.ArgChoice, Description: "academic, personal or career", Choices: categories}),
						keyed(grammar.Arg{Name: "by", Kind: grammar.ArgDate, Description: "Target date, YYYY-MM-DD"}),
						keyed(text("why", "Why it matters to you", false, plpbot.MaxTextLen)),
					},
					Run: h.cmdGoalAdd},
				{Name: "list", Shows: true, Summary: "List your goals with their numbers", Examples: []string{"goal list"},
					Run: h.cmdGoalList},
				{Name: "show", Shows: true, Summary: "One goal in full: a chart of its progress, its steps and feedback",
					Examples: []string{"goal show 1", "goal show 2 @sam"},
					Args: []grammar.Arg{
						num("n", "Goal number (see goal list)"),
						{Name: "user", Kind: grammar.ArgUser, Description: "Staff only: whose goal"},
					},
					Run: h.cmdGoalShow},
				{Name: "done", Summary: "Mark a goal as done", Examples: []string{"goal done 2"},
					Args: []grammar.Arg{num("n", "Goal number (see goal list)")},
					Run:  h.cmdGoalDone},
				{Name: "drop", Summary: "Drop a goal you no longer want", Examples: []string{"goal drop 3"},
					Args: []grammar.Arg{num("n", "Goal number (see goal list)")},
					Run:  h.cmdGoalDrop},
				{Name: "pause", Summary: "Pause a goal for now", Examples: []string{"goal pause 3"},
					Args: []grammar.Arg{num("n", "Goal number (see goal list)")},
					Run:  h.cmdGoalPause},
				{Name: "resume", Summary: "Make a paused or dropped goal active again", Examples: []string{"goal resume 3"},
					Args: []grammar.Arg{num("n", "Goal number (see goal list)")},
					Run:  h.cmdGoalResume},
				{Name: "edit", Summary: "Change a goal's title, category, date, why or tag",
					Examples: []string{"goal edit 2 by:2027-06-15", "goal edit 1 title:Read four novels why:I'm on a roll"},
					Args: []grammar.Arg{
						num("n", "Goal number (see goal list)"),
						keyed(text("title", "New title", false, plpbot.MaxTitleLen)),
						keyed(grammar.Arg{Name: "category", Kind: grammar.ArgChoice, Description: "academic, personal or career", Choices: categories}),
						keyed(grammar.Arg{Name: "by", Kind: grammar.ArgDate, Description: "New target date, YYYY-MM-DD"}),
						keyed(text("why", "Why it matters", false, plpbot.MaxTextLen)),
						keyed(text("tag", "Competency or standard tag", false, 100)),
					},
					Run: h.cmdGoalEdit},
			}},
		{Name: "step", Summary: "Break a goal into steps and check them off",
			Sub: []*grammar.Command{
				{Name: "add", Summary: "Add a step to a goal", Examples: []string{"step add 1 Finish Beloved"},
					Args: []grammar.Arg{num("n", "Goal number"), text("text", "The step", true, plpbot.MaxTitleLen)},
					Run:  h.cmdStepAdd},
				{Name: "done", Summary: "Check off a step", Examples: []string{"step done 1.2"},
					Args: []grammar.Arg{{Name: "step", Kind: grammar.ArgStep, Description: "Goal and step number, such as 1.2", Required: true}},
					Run:  h.cmdStepDone},
			}},
		{Name: "checkin", Summary: "Log progress on a goal",
			Examples: []string{"checkin 1 40%", "checkin 2 75% finished chapter 3 confidence:4"},
			Args: []grammar.Arg{
				num("n", "Goal number"),
				{Name: "percent", Kind: grammar.ArgPercent, Description: "Progress so far, 0-100%", Required: true},
				text("note", "A short note on how it went", false, plpbot.MaxTextLen),
				keyed(grammar.Arg{Name: "confidence", Kind: grammar.ArgRange, Description: "How sure you feel, 1-5", Min: 1, Max: 5}),
			},
			Run: h.cmdCheckIn},
		{Name: "reflect", Summary: "Write a reflection: what you learned, what's next, what help you need",
			Examples: []string{"reflect I learned that outlining first makes essays easier"},
			Args:     []grammar.Arg{text("text", "Your reflection", true, plpbot.MaxTextLen)},
			Run:      h.cmdReflect},
		{Name: "keep", TextOnly: true, Summary: "Save the message you just sent me as a reflection",
			Help:     "When a DM could be a command or a reflection, I ask; this keeps it as a reflection.",
			Examples: []string{"keep"},
			Run:      h.cmdKeep},
		{Name: "snooze", Summary: "Not now: put off your reflection prompt, and I'll ask again once",
			Help:     "Only that prompt moves: you're not marked away, so nothing else pauses. For a longer break: `/plp away until YYYY-MM-DD`.",
			Examples: []string{"snooze"},
			Run:      h.cmdSnooze},
		{Name: "export", Shows: true, Summary: "Get a plan as a Markdown file (staff: a student's plan)",
			Examples: []string{"export", "export @sam"},
			Args:     []grammar.Arg{{Name: "user", Kind: grammar.ArgUser, Description: "Staff only: whose plan"}},
			Run:      h.cmdExport},
		{Name: "away", Summary: "Pause prompts while you're away (sick, trip, break)",
			Sub: []*grammar.Command{
				{Name: "set", Default: true, Summary: "Be away until a date",
					Examples: []string{"away until 2027-01-10 family trip", "away @sam until 2027-01-10"},
					Args: []grammar.Arg{
						{Name: "user", Kind: grammar.ArgUser, Description: "Staff only: who is away"},
						{Name: "until", Kind: grammar.ArgLiteral, Required: true},
						{Name: "date", Kind: grammar.ArgDate, Description: "Back on, YYYY-MM-DD", Required: true},
						text("note", "Why (optional)", false, plpbot.MaxTextLen),
					},
					Run: h.cmdAwaySet},
				{Name: "off", Summary: "You're back: prompts resume", Examples: []string{"away off", "away off @sam"},
					Args: []grammar.Arg{{Name: "user", Kind: grammar.ArgUser, Description: "Staff only: who is back"}},
					Run:  h.cmdAwayOff},
			}},
		{Name: "class", Audience: grammar.Staff, Summary: "Create classes and manage who is in them",
			Sub: []*grammar.Command{
				{Name: "create", Audience: grammar.Staff, Summary: "Create a class (in a channel: links it for summaries)",
					Examples: []string{"class create Period 3 English", "class create Period 3 English term:Fall 2026"},
					Args: []grammar.Arg{
						text("name", "Class name", true, 100),
						keyed(text("term", "Its term (see term list)", false, plpbot.MaxTermNameLen)),
					},
					Run: h.cmdClassCreate},
				{Name: "add", Audience: grammar.Staff, Summary: "Add students (or co-teachers) to a class",
					Help: "Mention people, or paste a list: emails on Slack, usernames on Discord and the console, " +
						"separated by spaces, commas or new lines (up to 200).",
					Examples: []string{"class add @sam @alex", "class add @sam class:Period 3 English", "class add sam@school.org, alex@school.org"},
					Args: []grammar.Arg{
						{Name: "users", Kind: grammar.ArgUsers, Description: "Who to add"},
						text("list", "Or paste emails (Slack) or usernames", false, plpbot.MaxTextLen),
						keyed(text("class", "Which class, if you have several", false, 100)),
					},
					Run: h.cmdClassAdd},
				{Name: "sync", Audience: grammar.Staff, Summary: "Add class channel/role members",
					Help: "Adds, as students, everyone who isn't staff. On Slack, run it in the class's linked channel. On Discord, pick the class's role " +
						"in the role option (the bot needs the Server Members intent). Nobody is removed; each new student gets a welcome DM.",
					Examples: []string{"class sync", "class sync class:Period 3 English"},
					Args: []grammar.Arg{
						keyed(grammar.Arg{Name: "role", Kind: grammar.ArgRole, Description: "Discord: whose members"}),
						keyed(text("class", "Which class, if you have several", false, 100)),
					},
					Run: h.cmdClassSync},
				{Name: "term", Audience: grammar.Staff, Summary: "Put a class in a term",
					Help:     "When the term ends the class is archived: no prompts or summaries, and its roster still opens. `class term none` takes it out of any term.",
					Examples: []string{"class term Fall 2026", "class term Fall 2026 class:Period 3 English"},
					Args: []grammar.Arg{
						text("term", "The term (see term list), or none", true, plpbot.MaxTermNameLen),
						keyed(text("class", "Which class, if you have several", false, 100)),
					},
					Run: h.cmdClassTerm},
				{Name: "remove", Audience: grammar.Staff, Summary: "Remove a student from a class",
					Examples: []string{"class remove @sam"},
					Args: []grammar.Arg{
						user("Who to remove"),
						keyed(text("class", "Which class, if you have several", false, 100)),
					},
					Run: h.cmdClassRemove},
				{Name: "list", Shows: true, Audience: grammar.Staff, Summary: "List your classes", Examples: []string{"class list"},
					Run: h.cmdClassList},
			}},
		{Name: "roster", Shows: true, Audience: grammar.Staff, Summary: "See your class's progress at a glance",
			Examples: []string{"roster", "roster Period 3 English", "roster caseload"},
			Args:     []grammar.Arg{text("class", "Which class, if you have several", false, 100)},
			Run:      h.cmdRoster},
		{Name: "student", Shows: true, Audience: grammar.Staff, Summary: "A student's plan with check-ins and reflections",
			Examples: []string{"student @sam", "student @sam since:2026-09-01"},
			Args: []grammar.Arg{
				user("Which student"),
				keyed(grammar.Arg{Name: "since", Kind: grammar.ArgDate, Description: "Show activity since, YYYY-MM-DD"}),
			},
			Run: h.cmdStudent},
		{Name: "feedback", Audience: grammar.Staff, Summary: "Comment on a student's goal (they get a DM)",
			Examples: []string{"feedback @sam 1 Great pace — try a harder book next"},
			Args:     []grammar.Arg{user("Which student"), num("n", "Their goal number"), text("text", "Your feedback", true, plpbot.MaxTextLen)},
			Run:      h.cmdFeedback},
		{Name: "conference", Summary: "Schedule and run conferences",
			Sub: []*grammar.Command{
				{Name: "schedule", Default: true, Audience: grammar.Staff, Summary: "Schedule a conference with a student",
					Examples: []string{"conference @sam 2027-01-12 10:30 goals check"},
					Args: []grammar.Arg{
						user("Which student"),
						{Name: "date", Kind: grammar.ArgDate, Description: "Day, YYYY-MM-DD", Required: true},
						{Name: "time", Kind: grammar.ArgTime, Description: "Time, such as 15:00 or 3pm (your time zone)", Required: true},
						text("agenda", "What you'll talk about", false, plpbot.MaxTextLen),
					},
					Run: h.cmdConferenceSchedule},
				{Name: "repeat", Default: true, Audience: grammar.Staff, Summary: "Set up a standing 1:1 that repeats every week or two",
					Help:     "Each occurrence gets the usual reminders; when one is done, cancelled or past, the next is booked. End it with `/plp conference end N`.",
					Examples: []string{"conference @sam every 1w tue 10:30 mentoring check-in", "conference @sam every 2w fri 14:00"},
					Args: []grammar.Arg{
						user("Which student"),
						{Name: "every", Kind: grammar.ArgLiteral, Required: true},
						{Name: "interval", Kind: grammar.ArgChoice, Description: "1w (weekly) or 2w (every two weeks)", Required: true, Choices: intervals},
						{Name: "day", Kind: grammar.ArgChoice, Description: "Day of the week, such as tue", Required: true, Choices: weekdays},
						{Name: "time", Kind: grammar.ArgTime, Description: "Time, such as 15:00 or 3pm (your time zone)", Required: true},
						text("agenda", "What you'll talk about each time", false, plpbot.MaxTextLen),
					},
					Run: h.cmdConferenceRepeat},
				{Name: "list", Shows: true, Summary: "Upcoming conferences", Examples: []string{"conference list"},
					Run: h.cmdConferenceList},
				{Name: "agenda", Summary: "Add a talking point to your next conference",
					Examples: []string{"conference agenda I want help choosing electives"},
					Args:     []grammar.Arg{text("text", "Your talking point", true, plpbot.MaxTextLen)},
					Run:      h.cmdConferenceAgenda},
				{Name: "done", Audience: grammar.Staff, Summary: "Mark a conference done, with notes",
					Examples: []string{"conference done 4 Agreed on two new steps"},
					Args:     []grammar.Arg{num("id", "Conference number (see conference list)"), text("notes", "Notes", false, plpbot.MaxTextLen)},
					Run:      h.cmdConferenceDone},
				{Name: "cancel", Summary: "Cancel a conference (students: one you can't make)",
					Examples: []string{"conference cancel 4"},
					Args:     []grammar.Arg{num("id", "Conference number (see conference list)")},
					Run:      h.cmdConferenceCancel},
				{Name: "end", Audience: grammar.Staff, Summary: "End a standing 1:1: cancel this one and book no more",
					Examples: []string{"conference end 4"},
					Args:     []grammar.Arg{num("id", "Conference number (see conference list)")},
					Run:      h.cmdConferenceEnd},
			}},
		{Name: "schedule", Audience: grammar.Staff, Summary: "See or change when reflection prompts and class summaries go out",
			Sub: []*grammar.Command{
				{Name: "show", Shows: true, Default: true, Audience: grammar.Staff, Summary: "A class's schedules and their next run times",
					Examples: []string{"schedule", "schedule class:Period 3 English"},
					Args:     []grammar.Arg{keyed(text("class", "Which class, if you have several", false, 100))},
					Run:      h.cmdScheduleShow},
				{Name: "reflections", Audience: grammar.Staff, Summary: "When students get a reflection prompt (class time zone)",
					Help:     "Five cron fields: minute hour day-of-month month weekday, in quotes. \"0 14 * * FRI\" is Fridays at 14:00.",
					Examples: []string{`schedule reflections "0 14 * * FRI"`, `schedule reflections "30 8 * * MON" class:Period 3 English`},
					Args: []grammar.Arg{
						{Name: "when", Kind: grammar.ArgCron, Description: "Cron in quotes, such as \"0 14 * * FRI\"", Required: true},
						keyed(text("class", "Which class, if you have several", false, 100)),
					},
					Run: h.cmdScheduleReflections},
				{Name: "summaries", Audience: grammar.Staff, Summary: "When the class channel gets its progress summary",
					Help:     "Five cron fields: minute hour day-of-month month weekday, in quotes. \"0 15 * * FRI\" is Fridays at 15:00.",
					Examples: []string{`schedule summaries "0 15 * * FRI"`},
					Args: []grammar.Arg{
						{Name: "when", Kind: grammar.ArgCron, Description: "Cron in quotes, such as \"0 15 * * FRI\"", Required: true},
						keyed(text("class", "Which class, if you have several", false, 100)),
					},
					Run: h.cmdScheduleSummaries},
			}},
		{Name: "flag", Audience: grammar.Staff, Summary: "Record an intervention flag (staff-only)",
			Examples: []string{"flag @sam iep reading support"},
			Args: []grammar.Arg{
				user("Which student"),
				{Name: "kind", Kind: grammar.ArgChoice, Description: "iep, 504 or other", Required: true, Choices: flagKinds},
				text("note", "Note for staff", false, plpbot.MaxTextLen),
			},
			Run: h.cmdFlag},
		{Name: "role", Audience: grammar.Admins, Summary: "Give a role (and a grade)",
			Examples: []string{"role @ms.lee teacher", "role @sam student grade:9"},
			Args: []grammar.Arg{
				user("Who"),
				{Name: "role", Kind: grammar.ArgChoice, Description: "student, teacher, counselor or admin", Required: true, Choices: roleNames},
				keyed(grammar.Arg{Name: "grade", Kind: grammar.ArgWord, Description: "A student's grade, such as 9 or KG", MaxLen: plpbot.MaxGradeLen}),
			},
			Run: h.cmdRole},
		{Name: "caseload", Audience: grammar.Staff, Summary: "A counselor's caseload",
			Help: "A student is on a counselor's caseload when a rule picks them — their grade, or their last name " +
				"(the last word of their name) in a range such as A-L — or an admin added them by name, and no admin took them off by name. " +
				"Rules are read when used, so a student who changes grade moves caseload. Counselors see theirs with `/plp caseload`, " +
				"and its students as a teacher sees a class: `/plp roster caseload`. Admins change caseloads.",
			Examples: []string{"caseload", "caseload @mx.rivera grade:9", "caseload @mx.rivera last:A-L",
				"caseload @mx.rivera add @sam @alex", "caseload @mx.rivera remove @sam", "caseload @mx.rivera remove grade:9"},
			Args: []grammar.Arg{
				{Name: "user", Kind: grammar.ArgUser, Description: "Admins: which counselor"},
				{Name: "change", Kind: grammar.ArgChoice, Description: "Admins: add or remove", Choices: caseloadChanges},
				{Name: "users", Kind: grammar.ArgUsers, Description: "Students"},
				keyed(grammar.Arg{Name: "grade", Kind: grammar.ArgWord, Description: "A grade, such as 9", MaxLen: plpbot.MaxGradeLen}),
				keyed(grammar.Arg{Name: "last", Kind: grammar.ArgWord, Description: "Last names, such as A-L", MaxLen: 2*plpbot.MaxNameRangeLen + 1}),
			},
			Run: h.cmdCaseload},
		{Name: "term", Audience: grammar.Staff, Summary: "School terms; classes archive",
			Help: "A class in a term is archived the day after the term's last day: no more prompts or summaries go out for it, and staff can still read it. Students' plans carry on.",
			Sub: []*grammar.Command{
				{Name: "list", Shows: true, Audience: grammar.Staff, Summary: "The terms and their classes",
					Examples: []string{"term list"},
					Run:      h.cmdTermList},
				{Name: "add", Audience: grammar.Admins, Summary: "Add a term and its dates",
					Examples: []string{"term add Fall 2026 2026-08-24 2026-12-18", "term add Spring 2027 from:2027-01-05 to:2027-05-28"},
					Args: []grammar.Arg{
						text("name", "Its name, then first and last day", true, plpbot.MaxTermNameLen+24),
						keyed(grammar.Arg{Name: "from", Kind: grammar.ArgDate, Description: "First day, YYYY-MM-DD"}),
						keyed(grammar.Arg{Name: "to", Kind: grammar.ArgDate, Description: "Last day, YYYY-MM-DD"}),
					},
					Run: h.cmdTermAdd},
			}},
		{Name: "link", Audience: grammar.Admins, Summary: "Link a chat account to a person on the school's roster",
			Help: "For people plpbot couldn't match by email (Slack) or username (Discord): their plan is the roster person's, " +
				"whichever account they use. An account that already has a plan of its own isn't linked.",
			Examples: []string{"link @sam s-1042"},
			Args: []grammar.Arg{
				user("Whose chat account"),
				{Name: "sourcedid", Kind: grammar.ArgWord, Description: "Their sourcedId in the SIS's users.csv", Required: true},
			},
			Run: h.cmdLink},
		{Name: "import", Audience: grammar.Admins, Summary: "Import the school's roster: its OneRoster .zip, sent in a DM",
			Help: "In your DM with plpbot, attach the .zip your SIS exported and write `/plp import`: you get the report of what would change " +
				"(or the problems, file:line, with nothing imported), and nothing is applied until you press \"Apply this import\". " +
				"Files up to 50 MB; an upload is kept a day. On the console, give the .zip's path. " +
				"Once applied, the people not linked to a chat account yet are looked up by email (Slack) or username (Discord); " +
				"`/plp import link` looks up those not reached yet.",
			Examples: []string{"import", "import apply 3f9a1c2b7d04", "import link", "import lincoln-2026.zip"},
			Args: []grammar.Arg{
				{Name: "apply", Kind: grammar.ArgLiteral},
				{Name: "link", Kind: grammar.ArgLiteral},
				text("what", "With apply: the import's id; on the console: the .zip's path", false, 1000),
			},
			Run: h.cmdImport},
		{Name: "audit", Shows: true, Audience: grammar.Admins, Summary: "Who read or changed a person's records, what and when",
			Help: "Newest first, 20 to a page, in your time zone: staff reads (plan, export, roster, conference lists, prep briefs), " +
				"changes (feedback, flags, class adds and removals, roles) and refused attempts. A person's own actions aren't listed. " +
				"For the school's records, `plpbot audit export` writes the whole log as CSV.",
			Examples: []string{"audit @sam", "audit @sam since:2026-09-01", "audit @sam page:2"},
			Args: []grammar.Arg{
				user("Whose records"),
				keyed(grammar.Arg{Name: "since", Kind: grammar.ArgDate, Description: "Only entries since, YYYY-MM-DD"}),
				keyed(grammar.Arg{Name: "page", Kind: grammar.ArgNumber, Description: "Which page, 20 entries each"}),
			},
			Run: h.cmdAudit},
		{Name: "forget", Audience: grammar.Admins, Summary: "Delete every record of a person",
			Examples: []string{"forget @sam", "forget @sam confirm"},
			Args:     []grammar.Arg{user("Who to forget"), {Name: "confirm", Kind: grammar.ArgLiteral}},
			Run:      h.cmdForget},
	}}
}
