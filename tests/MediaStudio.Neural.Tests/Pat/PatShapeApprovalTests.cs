using MediaStudio.Neural.Pat;

namespace MediaStudio.Neural.Tests.Pat;

[Collection(NativeTestGroup.Name)]
public sealed class PatShapeApprovalTests
{
    [Fact]
    public void PatClassifierT1_StateDict_MatchesApprovedKeysAndShapes()
    {
        using var model = new PatClassifier(PatNetConfig.T1);

        Approval.Verify("PatClassifier_T1", Approval.Describe(model));
    }

    [Fact]
    public void PatClassifierTiny_StateDict_MatchesApprovedKeysAndShapes()
    {
        using var model = new PatClassifier(PatNetConfig.Tiny);

        Approval.Verify("PatClassifier_Tiny", Approval.Describe(model));
    }
}
