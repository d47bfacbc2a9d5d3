public enum Configuration
{
    Debug,
    Release,
}
