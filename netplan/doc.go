// Package netplan derives a riglet's CIDR plan: each env's VPC block, and a subnet per
// tier and availability zone inside it. It is pure (no I/O) and deterministic, and it
// keeps every allocation that a previous run recorded in the lock, so that a plan, once
// deployed, never moves.
//
// # VPCs
//
// An env's VPC is, in order of precedence:
//   - the env file's explicit cidr ("explicit"). It must be an IPv4 network address of
//     /16../28 and must not overlap another env's explicit cidr. It need not lie in the
//     pool; pool allocation steps around it when it does;
//   - the lock's entry for the env ("locked"), kept while it is a valid /16../28 network
//     address that overlaps no explicit cidr and no lock entry kept for an earlier env.
//     It is kept even when network.pool or network.prefix changed since: those settings
//     govern new allocations only (delete an env's lock entry to move it);
//   - the lowest free network.prefix block of network.pool ("new"), envs in the order
//     given.
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
//     tier's size, inside the VPC, overlapping no other explicit subnet; it may lie
//     outside the tier's slot;
//   - the locked one, kept while it has the tier's size, lies in the VPC and overlaps no
//     explicit subnet, no subnet kept before it (tier order, then AZ order) and no other
//     tier's slot. It need not lie in its own tier's slot: a slot that moved leaves its
//     subnets where they are, and only the tier's new subnets go to the new slot;
//   - the lowest free subnet of the tier's slot, tiers in declaration order, AZs in env
//     order. An env with more AZs than max_azs is an error, and so is a slot with no room
//     left (other tiers' explicit subnets can crowd a locked slot).
//
// Explicit values win over the lock: a locked VPC or subnet that conflicts with an explicit
// one is allocated afresh (so are the subnets of an env whose explicit cidr changed), and
// the returned lock shows the move. Explicit values
// are recorded in the returned lock too, so that deleting them from an env file later
// does not move what they placed.
//
// # Lock
//
// The returned lock holds exactly the envs, tiers and AZs of this run: entries for an env,
// tier or AZ that no longer exists are dropped. Subnets need no "retired" state (unlike
// listener rule priorities, which live on a listener shared across stacks): a subnet
// belongs to one env's VPC, and its CIDR becomes free when its AZ leaves the plan. One
// consequence: removing an AZ and adding another in the same change may hand the new AZ
// the removed one's CIDR, and CloudFormation creates the new subnet before it deletes the
// old one; deploy such a change in two steps.
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
