using ClusterRouting.Tests.Hosting;
using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Membership;

/// <summary>A member's address: optional, absolute http or https, carried by the engine to leases and status, kept up to date by reloads.</summary>
public class MemberAddressTests
{
    [Fact]
    public void Lease_CarriesTheSelectedMembersAddress()
    {
        using var cluster = new ClusterSelector("addresses", new ClusterOptions
        {
            Members = { new("gw-1") { Address = new Uri("http://10.0.0.5:8080/gateway/") }, new("gw-2") },
        });

        using MemberLease primary = cluster.Select();
        Assert.Equal(new Uri("http://10.0.0.5:8080/gateway/"), primary.Address);
        Assert.Equal(new Uri("http://10.0.0.5:8080/gateway/"), cluster.GetStatus().Members[0].Address);
        Assert.Null(cluster.GetStatus().Members[1].Address);
        Assert.Throws<InvalidOperationException>(() => default(MemberLease).Address);
    }

    [Theory]
    [InlineData("ftp://10.0.0.5/")]
    [InlineData("gateway/relative")]
    [InlineData("file:///etc/hosts")]
    public void Options_AddressNotAbsoluteHttp_IsAnErrorNamingTheClusterTheMemberAndTheField(string address)
    {
        var options = new ClusterOptions { Members = { new("gw-1"), new("gw-2") { Address = new Uri(address, UriKind.RelativeOrAbsolute) } } };

        var ex = Assert.Throws<ArgumentException>(() => new ClusterSelector("addresses", options));

        Assert.Equal("options", ex.ParamName);
        Assert.Contains($"Cluster 'addresses': Members[1].Address '{address}' of member 'gw-2' must be an absolute http or https address.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMember_WithAnAddress_IsSelectableThere_AndABadAddressChangesNothing()
    {
        using ClusterSelector cluster = new("addresses", Clusters.Options(1));
        cluster.SetMemberEnabled("gw-0", false);

        var bad = Assert.Throws<ArgumentException>(() => cluster.AddMember(new ClusterMemberOptions("gw-9") { Address = new Uri("ftp://x/") }));
        Assert.Equal("member", bad.ParamName);
        Assert.Equal(1, cluster.MemberCount);

        cluster.AddMember(new ClusterMemberOptions("gw-9", "1.2") { Address = new Uri("https://gw-9.example:8443/") });

        using MemberLease lease = cluster.Select();
        Assert.Equal("gw-9", lease.MemberId);
        Assert.Equal(new Uri("https://gw-9.example:8443/"), lease.Address);
        Assert.Equal("1.2", cluster.GetStatus().Members[1].Version);
    }

    [Fact]
    public void AddMember_AddressNotAbsoluteHttp_IsAnErrorNamingTheClusterTheMemberAndTheAddress()
    {
        using ClusterSelector cluster = new("addresses", Clusters.Options(1));

        var error = Assert.Throws<ArgumentException>(() => cluster.AddMember(new ClusterMemberOptions("gw-9") { Address = new Uri("ftp://x/") }));

        Assert.StartsWith("Cluster 'addresses': the address 'ftp://x/' of member 'gw-9' must be an absolute http or https address.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMember_NullOrEmptyId_IsRefusedNamingTheArgument()
    {
        using ClusterSelector cluster = new("addresses", Clusters.Options(1));

        Assert.Equal("member", Assert.Throws<ArgumentNullException>(() => cluster.AddMember((ClusterMemberOptions)null!)).ParamName);
        Assert.Equal("member", Assert.Throws<ArgumentException>(() => cluster.AddMember(new ClusterMemberOptions(" "))).ParamName);
        Assert.Equal(1, cluster.MemberCount);
    }

    [Fact]
    public void Reload_AddressChanged_TheMemberKeepsItsStateAndLeasesSeeTheNewAddress()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster(
            "refresh",
            ("Members:0:Id", "gw-0"),
            ("Members:0:Address", "http://127.0.0.1:5001/"),
            ("Members:1:Id", "gw-1")));
        ClusterSelector cluster = services.Cluster("refresh");
        Assert.True(cluster.TrySelect(out MemberLease held));
        Assert.Equal(new Uri("http://127.0.0.1:5001/"), held.Address);

        services.Set("refresh", "Members:0:Address", "http://127.0.0.1:5002/base/");
        services.Configuration.Reload();

        Assert.Equal(1, cluster.GetStatus().Members[0].InFlight);
        using MemberLease next = cluster.Select();
        Assert.Equal(new Uri("http://127.0.0.1:5002/base/"), next.Address);
        held.Dispose();
    }
}
