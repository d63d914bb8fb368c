namespace ClusterRouting.Tests.Execution;

/// <summary>What the exceptions of a run say: their message, cluster, inner exception and limit, from each constructor.</summary>
public class ExecutionExceptionTests
{
    [Fact]
    public void AllMembersFailed_StandardConstructors_NameNoCluster_AndKeepTheMessageAndInnerException()
    {
        var inner = new MemberOfflineException("down");

        var plain = new AllMembersFailedException();
        var withMessage = new AllMembersFailedException("nothing answered");
        var withInner = new AllMembersFailedException("nothing answered", inner);

        Assert.Equal(string.Empty, plain.ClusterName);
        Assert.Equal(string.Empty, withMessage.ClusterName);
        Assert.Equal(string.Empty, withInner.ClusterName);
        Assert.Equal("Every member the operation was tried on was offline or refused it.", plain.Message);
        Assert.Equal("nothing answered", withMessage.Message);
        Assert.Equal("nothing answered", withInner.Message);
        Assert.Same(inner, withInner.InnerException);
        Assert.Empty(withInner.Attempts);
    }

    [Fact]
    public void AllMembersFailed_ForARun_ListsEveryAttemptInItsMessage_AndTheLastOnesExceptionIsInner()
    {
        var refused = new MemberRefusedException("busy");
        MemberAttempt[] attempts =
        [
            new("gw-0", AttemptOutcome.Offline, new MemberOfflineException("down")),
            new("gw-1", AttemptOutcome.Refused, refused),
        ];

        var error = new AllMembersFailedException("sales", attempts);

        Assert.Equal("sales", error.ClusterName);
        Assert.Equal(
            "Every member of cluster 'sales' that the operation was tried on failed: gw-0: Offline (MemberOfflineException: down); gw-1: Refused (MemberRefusedException: busy).",
            error.Message);
        Assert.Same(refused, error.InnerException);
        Assert.Same(attempts, error.Attempts);
    }

    [Fact]
    public void AllMembersFailed_ForARunWithNoAttempts_HasNoInnerException()
    {
        var error = new AllMembersFailedException("sales", Array.Empty<MemberAttempt>());

        Assert.Null(error.InnerException);
        Assert.Equal("Every member of cluster 'sales' that the operation was tried on failed: .", error.Message);
    }

    [Fact]
    public void MemberRefused_MessageConstructors_AreConcurrencyRefusals_WithoutARetryAfter()
    {
        var answer = new InvalidOperationException("429");

        var withMessage = new MemberRefusedException("too many queries");
        var withInner = new MemberRefusedException("too many queries", answer);

        Assert.Equal(ThrottleLimitKind.Concurrency, withMessage.Limit);
        Assert.Equal(ThrottleLimitKind.Concurrency, withInner.Limit);
        Assert.Null(withMessage.RetryAfter);
        Assert.Equal("too many queries", withInner.Message);
        Assert.Same(answer, withInner.InnerException);
    }
}
