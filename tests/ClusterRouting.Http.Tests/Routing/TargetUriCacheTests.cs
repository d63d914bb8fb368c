namespace ClusterRouting.Http.Tests.Routing;

public class TargetUriCacheTests
{
    private static readonly Uri Member = new("http://10.0.0.5/gw/");

    [Fact]
    public void Resolve_SameRequestTextTwice_ReturnsTheSameInstance()
    {
        var cache = new TargetUriCache();

        Uri first = cache.Resolve(0, Member, new Uri("http://refresh/q?x=1"));
        Uri second = cache.Resolve(0, Member, new Uri("http://refresh/q?x=1"));

        Assert.Same(first, second);
        Assert.Equal("http://10.0.0.5/gw/q?x=1", second.AbsoluteUri);
    }

    [Fact]
    public void Resolve_DifferentPath_ComposesTheNewTarget()
    {
        var cache = new TargetUriCache();
        cache.Resolve(0, Member, new Uri("http://refresh/a"));

        Uri target = cache.Resolve(0, Member, new Uri("http://refresh/b"));

        Assert.Equal("http://10.0.0.5/gw/b", target.AbsoluteUri);
    }

    [Fact]
    public void Resolve_MemberAddressChanged_ComposesWithTheNewAddress()
    {
        var cache = new TargetUriCache();
        cache.Resolve(0, Member, new Uri("http://refresh/a"));

        Uri target = cache.Resolve(0, new Uri("http://10.0.0.9:81/"), new Uri("http://refresh/a"));

        Assert.Equal("http://10.0.0.9:81/a", target.AbsoluteUri);
    }

    [Fact]
    public void Resolve_PositionsKeepTheirOwnEntries()
    {
        var cache = new TargetUriCache();
        Uri other = new("http://10.0.0.6/");

        Uri atZero = cache.Resolve(0, Member, new Uri("http://refresh/a"));
        Uri atOne = cache.Resolve(1, other, new Uri("http://refresh/a"));

        Assert.Equal("http://10.0.0.5/gw/a", atZero.AbsoluteUri);
        Assert.Equal("http://10.0.0.6/a", atOne.AbsoluteUri);
        Assert.Same(atZero, cache.Resolve(0, Member, new Uri("http://refresh/a")));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(1000)]
    [InlineData(-1)]
    public void Resolve_PositionOutsideTheCache_StillComposes(int position)
    {
        var cache = new TargetUriCache();

        Uri target = cache.Resolve(position, Member, new Uri("http://refresh/a"));

        Assert.Equal("http://10.0.0.5/gw/a", target.AbsoluteUri);
    }
}
