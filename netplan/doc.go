// Package netplan derives a riglet's CIDR plan: each env's VPC block, and a subnet per
// tier and availability zone inside it. It is pure (no I/O) and deterministic, and it
// keeps every allocation that a previous run recorded in the lock, so that a plan, once
// deployed, never moves.
//
// # VPCs
//
// An env's VPC is, in order of precedence:
//   - the env file's explicit cidr ("explicit"). It must be an IPv4 network address of
//     /16../28 and must not overlap another env's explicit cidr, nor another env's locked
//     or retired VPC in the lock (an error naming both envs, at the env file's line and
//     the lock's). It need not lie in the pool; pool allocation steps around it;
//   - the lock's entry for the env ("locked"), kept while it is a valid /16../28 network
//     address that overlaps no lock entry kept for an earlier env.
//     It is kept even when network.pool or network.prefix changed since: those settings
//     govern new allocations only (delete an env's lock entry to move it);
//   - the lowest free network.prefix block of network.pool ("new"), envs in the order
//     given, stepping around retired envs' VPCs.
//
// # Subnets
//
// Each tier gets a slot in each env's VPC: an aligned block of max_azs subnets of the
// tier's size, max_azs rounded up to a power of two. Slots are recorded in the lock by tier
// name, so reordering tiers moves nothing, and do not overlap each other. A locked slot is
// kept while it lies in the VPC, holds at least one subnet of the tier's size and overlaps
// no slot kept for an earlier tier. One smaller than max_azs now asks for (max_azs was
// raised) grows in place to the aligned block that contains it if that block is free, and
// otherwise moves to a new block. New slots go first-fit, in tier declaration order, into
// the lowest aligned block that overlaps no other slot and no other tier's explicit or
// locked subnet, so that all of it is the tier's.
//
// A subnet is, in order of precedence:
//   - the explicit CIDR for that tier and AZ. It must be an IPv4 network address of the
//     tier's size, inside the VPC, overlapping no other explicit subnet and no subnet the
//     lock holds for another tier or AZ, in use or retired (an error naming both AZs, at
//     the env file's line and the lock's); it may lie outside the tier's slot;
//   - the locked one (or the retired one of its own tier and AZ, when the AZ comes back),
//     kept while it lies in the VPC, whatever the tier's size is today: a size change
//     applies to new subnets only. It need not lie in its own tier's slot: a slot that
//     moved leaves its subnets where they are, and only the tier's new subnets go to the
//     new slot. A locked subnet that overlaps another kept subnet or another tier's slot
//     cannot stay, and that is an error saying what would move;
//   - the lowest free subnet of the tier's slot, tiers in declaration order, AZs in env
//     order, stepping around retired subnets. An env with more AZs than max_azs is an
//     error, and so is a slot with no room left (other tiers' explicit subnets, or retired
//     subnets until a prune, can crowd a locked slot).
//
// Nothing the lock holds is ever evicted by an explicit value: what is deployed moves only
// when the user asks for it, by changing the env's own explicit cidr (its subnets are then
// allocated afresh in the new VPC) or a subnet's own explicit CIDR (the old one is
// retired). Explicit values are recorded in the returned lock too, so that deleting them
// from an env file later does not move what they placed.
//
// # Lock
//
// The returned lock holds the envs, tiers and AZs of this run, and retires the rest, as
// listener rule priorities are retired: a removed env's entry stays, marked Retired, and a
// removed AZ's or tier's subnets (and a subnet its explicit value replaced) move to
// RetiredSubnets. Their stacks may still exist, and CloudFormation creates a new subnet
// before it deletes the old one, so no other env, AZ or tier gets their CIDRs until
// [Lock.Prune] (riglet lock prune) releases them. An env or AZ that comes back gets its
// own retired allocation back. Retired subnets that lie outside the env's VPC are dropped.
//
// Running Allocate again with the lock it returned gives the same CIDRs and the same lock.
//
// # Defaults and errors
//
// Zero Config fields take the defaults of [Defaults] (pool 10.0.0.0/8, prefix 16, max_azs
// 4, tiers public /24, app /20, db /24). Problems are returned as ir.Errors at the most
// useful position; when there are any, Allocate returns no plans and no lock, since a
// partial lock must never be written.
package netplan
