using System.Net;
using OneStopPi.Collection.Discovery;

namespace OneStopPi.Collection.Tests.Discovery;

/// <summary>The plan pass: which way each address goes (no socket, no namespace: the interfaces are given).</summary>
public sealed class SweepPlanTests
{
    private static readonly byte[] Mac = [2, 0, 0, 0, 0, 1];
    private static readonly LocalSubnet Lan = LocalSubnet.Of("lan0", IPAddress.Parse("198.18.0.10"), 22, needsNeighbour: true, interfaceIndex: 3, Mac);

    [Test]
    public void A_routed_range_goes_through_the_kernel_unpaced()
    {
        SweepPlan plan = SweepPlan.Of(TargetRangeSet.Parse(["198.19.0.0/24"]), [Lan], Own(), arp: true);
        Assert.Multiple(() =>
        {
            Assert.That(plan.ThroughKernel, Has.Count.EqualTo(254), "a /24 without its network and broadcast addresses");
            Assert.That(plan.ThroughKernel.All(a => !a.OnLink), Is.True);
            Assert.That(plan.ArpTargets, Is.Empty);
            Assert.That(plan.OnLinkDevice, Is.Null, "nothing to pace: no neighbour entry is made for a routed address");
        });
    }

    [Test]
    public void An_on_link_range_is_swept_with_arp_without_this_host()
    {
        SweepPlan plan = SweepPlan.Of(TargetRangeSet.Parse(["198.18.0.0/24"]), [Lan], Own("198.18.0.10"), arp: true);
        Assert.Multiple(() =>
        {
            Assert.That(plan.ArpTargets.Keys, Is.EqualTo(new[] { Lan }));
            Assert.That(plan.ArpTargets[Lan], Has.Count.EqualTo(253), "254 hosts less this one");
            Assert.That(plan.ArpTargets[Lan], Does.Not.Contain(IPAddress.Parse("198.18.0.10")), "the agent itself is not a device");
            Assert.That(plan.ThroughKernel, Is.Empty);
            Assert.That(plan.OnLinkDevice, Is.EqualTo("lan0"));
        });
    }

    [Test]
    public void Without_arp_on_link_addresses_go_through_the_kernel_paced()
    {
        SweepPlan plan = SweepPlan.Of(TargetRangeSet.Parse(["198.18.0.0/30"]), [Lan], Own(), arp: false);
        Assert.Multiple(() =>
        {
            Assert.That(plan.ArpTargets, Is.Empty);
            Assert.That(plan.ThroughKernel.Select(a => (a.Address.ToString(), a.OnLink)),
                Is.EqualTo(new[] { ("198.18.0.1", true), ("198.18.0.2", true) }));
            Assert.That(plan.OnLinkDevice, Is.EqualTo("lan0"));
        });
    }

    [Test]
    public void A_range_across_the_subnet_edge_splits_in_range_order()
    {
        // 198.18.3.254-198.18.4.1: two on-link addresses of the /22, then two routed ones.
        SweepPlan plan = SweepPlan.Of(TargetRangeSet.Parse(["198.18.3.254-198.18.4.1"]), [Lan], Own(), arp: false);
        Assert.That(plan.ThroughKernel.Select(a => (a.Address.ToString(), a.OnLink)),
            Is.EqualTo(new[] { ("198.18.3.254", true), ("198.18.3.255", true), ("198.18.4.0", false), ("198.18.4.1", false) }));
    }

    [Test]
    public void The_most_specific_subnet_wins_and_a_tunnel_has_no_neighbours()
    {
        // A point-to-point tunnel inside the LAN's /22 (no ARP there): its addresses are not paced or ARP-swept.
        LocalSubnet tunnel = LocalSubnet.Of("tun0", IPAddress.Parse("198.18.2.1"), 24, needsNeighbour: false, interfaceIndex: 4, []);
        SweepPlan plan = SweepPlan.Of(TargetRangeSet.Parse(["198.18.1.255-198.18.2.1"]), [Lan, tunnel], Own(), arp: true);
        Assert.Multiple(() =>
        {
            Assert.That(plan.ArpTargets[Lan], Is.EqualTo(new[] { IPAddress.Parse("198.18.1.255") }));
            Assert.That(plan.ThroughKernel.Select(a => (a.Address.ToString(), a.OnLink)), Is.EqualTo(new[] { ("198.18.2.0", false), ("198.18.2.1", false) }));
        });
    }

    [Test]
    public void A_subnet_without_a_mac_goes_through_the_kernel_even_with_arp()
    {
        LocalSubnet noMac = LocalSubnet.Of("lan1", IPAddress.Parse("198.18.8.1"), 24, needsNeighbour: true, interfaceIndex: 5, []);
        SweepPlan plan = SweepPlan.Of(TargetRangeSet.Parse(["198.18.8.2/31"]), [noMac], Own(), arp: true);
        Assert.Multiple(() =>
        {
            Assert.That(plan.ArpTargets, Is.Empty);
            Assert.That(plan.ThroughKernel.All(a => a.OnLink), Is.True);
        });
    }

    [Test]
    public void IPv6_hosts_go_straight_to_identification()
    {
        SweepPlan plan = SweepPlan.Of(TargetRangeSet.Parse(["2001:db8::5"]), [Lan], Own(), arp: true);
        Assert.That(plan.Direct, Is.EqualTo(new[] { IPAddress.Parse("2001:db8::5") }));
    }

    private static HashSet<IPAddress> Own(params string[] addresses) => [.. addresses.Select(IPAddress.Parse)];
}
