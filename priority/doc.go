// Package priority derives ALB listener rule priorities offline, orders them by how
// specific the rules are, and keeps them stable for ever through the lock.
//
// # What a rule matches
//
// A rule matches the requests (host, path) that all its conditions allow; the values
// of one condition are OR-ed, and an absent condition allows everything. Host values
// are compared case-insensitively, path values case-sensitively; in both '*' matches
// any sequence (also empty, also across '/' and '.') and '?' exactly one character.
// A request path always starts with '/', so paths are compared over such strings
// only: "/*" (like "*", "*?" or an absent path condition) matches every request, a
// rule without a host condition and with path "/*" is the catch-all every other
// rule is narrower than, and a path value that cannot start with '/' matches nothing.
// Two rules overlap when some request matches both. A is narrower than B when every
// request A matches also matches B and not the reverse. Both are decided exactly:
// glob intersection by a search of the product of the two patterns' automata, glob
// inclusion (of one value in the union of the other rule's values) by the product of
// one automaton with the subset construction of the other. The alphabet is taken as
// unbounded: a character that no pattern names stands for all such characters.
// Inclusion of globs with both '*' and '?' is coNP-complete, so the subset
// construction gives up after 32768 states; such a pair is "undecided": Narrower is
// false for it and Allocate asks for explicit priorities (no real pattern gets near).
//
// Other conditions (http-header, method, query string, source IP) are opaque to this
// package. They are taken to be satisfiable together with anything (they never remove
// an overlap) and to be the same set on every rule that has them: a rule with them is
// narrower than the same host and path without them, two rules that both have them
// compare by host and path alone, and a rule without them is never inside one that
// has them.
//
// # How numbers are chosen
//
// Numbering is per listener; each listener's rules are handled in order of key, so
// neither the order of the input nor map order changes the result.
//
//  1. Explicit priorities are honoured. Two rules with one number, a number outside
//     1..50000, or a number the lock holds for another key (live or retired) is an
//     error. An explicit rule's entry in the lock follows its explicit number; its
//     old number stays out of reach of new rules for that compile.
//  2. A rule the lock knows keeps its number: a live locked number is never moved.
//     A retired rule that comes back keeps its old number while that still fits the
//     order; otherwise it is placed afresh like a new rule (it was not live, so
//     moving it cannot collide with anything in AWS).
//  3. Every pair of rules that overlap is checked: the narrower must have the smaller
//     number (else the broader shadows it: an error naming both); and when neither is
//     narrower (a host-only and a path-only rule, or two rules matching the same
//     requests), an error asks for explicit priorities, unless both already have them.
//  4. New rules are placed narrowest first (by how many rules of the listener are
//     inside them, which only grows from narrower to broader, then by key). Each takes
//     a free number strictly between the highest number of the rules it must follow
//     and the lowest of the rules it must precede. Where the next multiple of Step
//     (100) above the highest number in use under that bound leaves a full Step of
//     room, it takes that (so a fresh listener reads 100, 200, 300...); otherwise it
//     takes the middle of the largest free run in its window (the highest of equal
//     runs). A window with no free number is an error naming both neighbours: live
//     rules are never renumbered, since CloudFormation fails that with PriorityInUse.
//  5. A key of the lock that no rule has any more stays, retired, and keeps its number
//     reserved until Prune.
//
// Quotas: more than 100 rules, or more than 100 distinct target groups, on one load
// balancer across its listeners is an error (AWS's default quotas; default rules are
// not counted). A rule that names no load balancer counts with its listener alone.
//
// Bad input (no key, no listener, no conditions, an empty value, a value over 128
// characters or with a character outside visible ASCII) is an error at the rule's
// position, and keeps that rule out of the numbering.
package priority
