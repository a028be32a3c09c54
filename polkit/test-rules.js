// Runs polkit/50-jcontainer.rules in node with a stub of polkitd's JavaScript API (polkit(8),
// "AUTHORIZATION RULES") and checks its answers. polkitd itself (pkcheck) needs a running daemon
// on the system bus, which a build machine lacks; vm-tests/ checks the same rules through
// systemctl on a real host.
//
//   node polkit/test-rules.js [RULES_FILE]
//
// Prints one line per case, then "polkit-rules: N passed, M failed"; exits 1 if any failed.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const rulesFile = process.argv[2] || path.join(__dirname, "50-jcontainer.rules");
const source = fs.readFileSync(rulesFile, "utf8");

// polkitd's Result values are the strings of the implicit authorizations; NOT_HANDLED is null.
const Result = { NO: "no", YES: "yes", AUTH_SELF: "auth_self", AUTH_SELF_KEEP: "auth_self_keep",
    AUTH_ADMIN: "auth_admin", AUTH_ADMIN_KEEP: "auth_admin_keep", NOT_HANDLED: null };

// Loads the rules file in a fresh ES5-ish context, as polkitd does: only `polkit` is global.
function load() {
    const rules = [];
    const polkit = {
        Result: Result,
        addRule: function (f) { rules.push(f); },
        addAdminRule: function () {},
        log: function () {},
        spawn: function () { throw new Error("the rules must not spawn helpers"); },
    };
    vm.runInNewContext(source, { polkit: polkit }, { filename: rulesFile });
    return rules;
}

// Evaluates like polkitd: the first rule that returns something other than NOT_HANDLED decides.
function decide(rules, actionId, details, user, groups) {
    const action = {
        id: actionId,
        lookup: function (key) { return Object.prototype.hasOwnProperty.call(details, key) ? details[key] : undefined; },
    };
    const subject = {
        pid: 4242, user: user, groups: groups, seat: "", session: "", local: false, active: false,
        isInGroup: function (g) { return groups.indexOf(g) >= 0; },
        isInNetGroup: function () { return false; },
    };
    for (const rule of rules) {
        const r = rule(action, subject);
        if (r !== null && r !== undefined) return r;
    }
    return null;
}

const MANAGE = "org.freedesktop.systemd1.manage-units";
const ALICE = ["alice", ["alice", "jcontainer"]];
const BOB = ["bob", ["bob", "sudo"]];
const cases = [];
function expect(who, actionId, details, want, why) {
    cases.push({ who: who, actionId: actionId, details: details, want: want, why: why });
}

// alice, in group jcontainer: the everyday verbs on container units, without a prompt.
for (const verb of ["start", "stop", "restart", "try-restart", "reload-or-restart", "reload-or-try-restart", "kill", "reset-failed"]) {
    expect(ALICE, MANAGE, { unit: "jcontainer@hello.service", verb: verb }, "yes", "member may " + verb + " a container");
}
expect(ALICE, MANAGE, { unit: "jcontainer@web-1.service", verb: "start" }, "yes", "any defined instance name");
expect(ALICE, MANAGE, { unit: "jcontainer@a\\x2db.service", verb: "stop" }, "yes", "escaped instance name");
// ...but nothing that changes what a container may reach, and no other unit.
for (const verb of ["set-property", "bind-mount", "mount-image", "clean", "freeze", "thaw", "reload"]) {
    expect(ALICE, MANAGE, { unit: "jcontainer@hello.service", verb: verb }, null, "member's " + verb + " falls through to auth_admin");
}
for (const unit of ["ssh.service", "systemd-nspawn@hello.service", "jcontainer@.service", "jcontainer@hello.socket",
                    "jcontainer@hello.service.d", "xjcontainer@hello.service", "jcontainer@hello.serviceX",
                    "jcontainer@a/b.service", "jcontainer@a@b.service"]) {
    expect(ALICE, MANAGE, { unit: unit, verb: "start" }, null, "not a container unit: " + unit);
}
expect(ALICE, MANAGE, { verb: "start" }, null, "no unit detail (transient units on old systemd, reload/reexec)");
expect(ALICE, MANAGE, {}, null, "no details at all");
expect(ALICE, "org.freedesktop.systemd1.manage-unit-files", { unit: "jcontainer@hello.service", verb: "enable" }, null,
    "enable/disable stay admin-only");
expect(ALICE, "org.freedesktop.systemd1.reload-daemon", {}, null, "daemon-reload stays admin-only");
expect(ALICE, "org.freedesktop.machine1.manage-machines", { machine: "hello", verb: "terminate" }, null,
    "machinectl terminate stays admin-only (systemctl stop is the member's way)");
expect(ALICE, "org.freedesktop.machine1.shell", { machine: "hello" }, null, "machinectl shell stays admin-only");
expect(ALICE, "org.freedesktop.machine1.login", { machine: "hello" }, null, "machinectl login stays admin-only");

// bob, not in the group (even if an admin through sudo): refused at once on container units.
for (const verb of ["start", "stop", "restart", "kill", "reset-failed", "set-property"]) {
    expect(BOB, MANAGE, { unit: "jcontainer@hello.service", verb: verb }, "no", "non-member refused at once: " + verb);
}
expect(BOB, MANAGE, { unit: "ssh.service", verb: "restart" }, null, "other units untouched for non-members");
expect(BOB, "org.freedesktop.machine1.manage-machines", { machine: "hello", verb: "terminate" }, null, "machined untouched");

// A member named like the group, and a user with no groups at all.
expect(["jcontainer", ["jcontainer"]], MANAGE, { unit: "jcontainer@hello.service", verb: "start" }, "yes", "group membership is what counts");
expect(["nobody", []], MANAGE, { unit: "jcontainer@hello.service", verb: "stop" }, "no", "user without groups refused");

const rules = load();
let passed = 0, failed = 0;
for (const c of cases) {
    const got = decide(rules, c.actionId, c.details, c.who[0], c.who[1]);
    const desc = c.who[0] + " " + c.actionId.replace("org.freedesktop.", "") + " " + JSON.stringify(c.details);
    if (got === c.want) {
        passed++;
        console.log("ok   " + desc + " -> " + got + "  (" + c.why + ")");
    } else {
        failed++;
        console.log("FAIL " + desc + " -> " + got + ", expected " + c.want + "  (" + c.why + ")");
    }
}
// polkitd runs rules in an ES5 engine: a syntax check in strict ES5 terms is beyond node, but
// obvious ES6 constructs would break on a duktape-based polkitd.
if (/=>|\blet\b|\bconst\b|`/.test(source.replace(/\/\/.*$/mg, ""))) {
    failed++;
    console.log("FAIL the rules use ES6 syntax (=>, let, const or template strings)");
} else {
    passed++;
    console.log("ok   the rules stay within ES5 syntax");
}
console.log("polkit-rules: " + passed + " passed, " + failed + " failed");
process.exit(failed ? 1 : 0);
